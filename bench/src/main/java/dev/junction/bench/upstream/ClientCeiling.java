package dev.junction.bench.upstream;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JDK's HTTP client on its own against an upstream (the instant one): requests per second at a concurrency, each
 * caller a virtual thread sending one plain chat completion after another. The router calls its suppliers with this
 * client, configured as here (HTTP/1.1, listeners run where data arrives), so this is the ceiling of its upstream hop:
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.junction.bench.upstream.ClientCeiling URL [CONCURRENCY] [SECONDS]
 * </pre>
 */
public final class ClientCeiling {
    private ClientCeiling() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ClientCeiling URL [CONCURRENCY] [SECONDS]   (URL: …/v1/chat/completions)");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run).build();
        HttpRequest request = HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"hi\"}]}")).build();
        run(http, request, concurrency, Duration.ofSeconds(Math.max(1, seconds / 2))); // warm-up
        long done = run(http, request, concurrency, Duration.ofSeconds(seconds));
        System.out.printf("JDK HttpClient, concurrency %d: %d requests/s, %.1f µs per request%n", concurrency,
                done / seconds, concurrency * seconds * 1e6 / Math.max(1, done));
    }

    private static long run(HttpClient http, HttpRequest request, int concurrency, Duration time) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + time.toNanos();
        try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < concurrency; i++) {
                callers.submit(() -> {
                    while (System.nanoTime() < end) {
                        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) throw new IllegalStateException("status " + r.statusCode());
                        done.incrementAndGet();
                    }
                    return null;
                });
            }
        }
        return done.get();
    }
}
