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
 * Usage: EmbeddedNode HOME_DIR HTTP_PORT [CLUSTER_NAME [SETTING=VALUE ...]]
 *
 * The node binds to 127.0.0.1 only and keeps its data under HOME_DIR/data. It
 * stops cleanly on SIGTERM/SIGINT. With no extra settings it runs single-node
 * discovery. Extra SETTING=VALUE pairs override the defaults; when they name
 * {@code discovery.seed_hosts} the node joins a multi-node cluster instead
 * (scripts/services.mjs --es-nodes passes node.name, transport.port,
 * discovery.seed_hosts and, on a first start, cluster.initial_master_nodes).
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
        Settings.Builder extra = Settings.builder();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("bad setting (want SETTING=VALUE): " + args[i]);
                System.exit(2);
            }
            extra.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Settings overrides = extra.build();
        boolean multiNode = overrides.hasValue("discovery.seed_hosts");
        String nodeName = overrides.get("node.name", "takedown-es-0");
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", "0")
            // A lone node must not wait for peers; a cluster member finds them through seed hosts.
            .put(multiNode ? Settings.EMPTY : Settings.builder().put("discovery.type", "single-node").build())
            // Dev machines run with little free disk; never go read-only on them.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("http.cors.enabled", false)
            .put(overrides)
            .build();

        LogConfigurator.configureWithoutConfig(settings);
        LogConfigurator.setNodeName(nodeName);

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
