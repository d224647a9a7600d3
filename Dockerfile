# Image for the Takedown processes. Redis and Elasticsearch come from their
# own images (docker-compose.yml); this image never starts them itself.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY test/package.json test/
COPY workers workers
COPY services services
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -b
ENV NODE_ENV=development
CMD ["node", "scripts/start.mjs"]
