package dev.lattice.engine;

import dev.lattice.core.LatticeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A file fetched over HTTP into its place in the cache: through a {@code .part} file beside it, checked, then moved
 * in whole, so that an interrupted, refused or unchecked download is never taken for the file.
 */
public final class Download {
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20)).build();

    private Download() {
    }

    /**
     * Downloads {@code uri} to {@code to}; {@code check} may refuse the whole file (by throwing) before it is moved
     * there. A failure names {@code what} and gives {@code offline} as what to do without network.
     */
    public static void into(URI uri, Path to, String what, String offline, Consumer<Path> check) {
        try {
            Path partial = Files.createDirectories(to.getParent()).resolve(to.getFileName() + ".part");
            try {
                HttpResponse<Path> response;
                try {
                    response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build(),
                            HttpResponse.BodyHandlers.ofFile(partial));
                } catch (IOException e) {
                    // A refused or unresolvable connection often has no message of its own: its class says what happened.
                    String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                    throw new LatticeException("cannot download " + what + " from " + uri + ": " + why, offline);
                }
                if (response.statusCode() != 200) {
                    throw new LatticeException("cannot download " + what + " from " + uri + ": HTTP " + response.statusCode(), offline);
                }
                check.accept(partial);
                Files.move(partial, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LatticeException("interrupted while downloading " + what, null);
        }
    }
}
