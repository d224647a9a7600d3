# One image for every Takedown process; docker-compose.yml picks the command.
# Redis and Elasticsearch come from their own images.
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npx tsc -b
ENV NODE_ENV=production
EXPOSE 8070 8080 8090
CMD ["node", "services/moderation-api/dist/main.js"]
