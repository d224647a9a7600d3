package dev.takedown.elasticsearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.node.ClasspathPluginsNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Starts one real Elasticsearch node in this JVM.
 *
 * Usage: EmbeddedNode HOME_DIR HTTP_PORT [CLUSTER_NAME]
 *
 * The node binds to 127.0.0.1 only, runs single-node discovery and keeps its
 * data under HOME_DIR/data. It stops cleanly on SIGTERM/SIGINT.
 */
public final class EmbeddedNode {
    private EmbeddedNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EmbeddedNode HOME_DIR HTTP_PORT [CLUSTER_NAME]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String httpPort = args[1];
        String clusterName = args.length > 2 ? args[2] : "takedown-dev";
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", clusterName)
            .put("node.name", "takedown-es-0")
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", "0")
            .put("discovery.type", "single-node")
            // Dev machines run with little free disk; never go read-only on them.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("http.cors.enabled", false)
            .build();

        LogConfigurator.configureWithoutConfig(settings);
        LogConfigurator.setNodeName("takedown-es-0");

        Node node = new ClasspathPluginsNode(settings, List.of(Netty4Plugin.class, RootEndpointPlugin.class),
            home.resolve("config"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "takedown-es-shutdown"));
        node.start();
        System.out.println("takedown-elasticsearch: started on http://127.0.0.1:" + httpPort);
        stopped.await();
    }
}
