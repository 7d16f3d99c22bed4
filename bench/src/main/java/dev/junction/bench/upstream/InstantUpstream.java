package dev.junction.bench.upstream;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.URI;

/**
 * An OpenAI-compatible upstream that answers at once, for measuring what a router in front of it adds:
 * {@code POST /v1/chat/completions} gets a fixed small chat completion, or with {@code "stream": true} a fixed
 * stream of a few chunks (see {@link InstantAnswers}). HTTP/1.1 with keep-alive, on Jetty with one acceptor and
 * one selector, so that it needs little of a core.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar dev.junction.bench.upstream.InstantUpstream [--host 127.0.0.1] [--port 9000]
 * }</pre>
 *
 * Prints {@code instant upstream on http://HOST:PORT/v1} once it listens ({@code --port 0} picks a free port) and
 * runs until killed.
 */
public final class InstantUpstream implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private InstantUpstream(String host, int port) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("instant-upstream");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new InstantHandler());
    }

    /** Listens on {@code host:port} (0: a free port) and serves until closed. */
    public static InstantUpstream start(String host, int port) throws Exception {
        InstantUpstream upstream = new InstantUpstream(host, port);
        upstream.server.start();
        return upstream;
    }

    /** {@code http://HOST:PORT/v1}: the base URL an OpenAI client is given. */
    public URI openAiBaseUri() {
        return URI.create("http://" + connector.getHost() + ":" + connector.getLocalPort() + "/v1");
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 9000;
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 == args.length) throw new IllegalArgumentException(args[i] + " needs a value");
                String value = args[i + 1];
                switch (args[i]) {
                    case "--host" -> host = value;
                    case "--port" -> port = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) { // NumberFormatException included
            System.err.println("instant-upstream: " + e.getMessage());
            System.err.println("usage: InstantUpstream [--host HOST] [--port PORT]");
            System.exit(2);
        }
        InstantUpstream upstream = start(host, port);
        System.out.println("instant upstream on " + upstream.openAiBaseUri());
        upstream.server.join();
    }
}
