package org.elasticsearch.node;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsService;

/**
 * A production {@link Node} whose plugins come from the classpath.
 *
 * Lives in this package because Node's construction hooks are package-private;
 * unlike the test framework's MockNode it pulls in no test bootstrap (which
 * refuses to run as root and randomises settings).
 */
public final class ClasspathPluginsNode extends Node {
    public ClasspathPluginsNode(Settings settings, Collection<Class<? extends Plugin>> plugins, Path configPath) {
        super(NodeConstruction.prepareConstruction(
            InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), configPath, () -> "takedown-es-0"),
            new ClasspathPluginsProvider(plugins),
            true));
    }

    private static final class ClasspathPluginsProvider extends NodeServiceProvider {
        private final Collection<Class<? extends Plugin>> plugins;

        ClasspathPluginsProvider(Collection<Class<? extends Plugin>> plugins) {
            this.plugins = plugins;
        }

        @Override
        PluginsService newPluginService(Environment environment, Settings settings) {
            return new MockPluginsService(settings, environment, plugins);
        }
    }
}
