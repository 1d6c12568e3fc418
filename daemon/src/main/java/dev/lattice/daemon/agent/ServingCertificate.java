package dev.lattice.daemon.agent;

import io.grpc.util.AdvancedTlsX509KeyManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parent's serving certificate, which its CA issues anew once the old one is in the last third of its validity.
 * The bootstrap endpoint and the agent stream present it through one key manager, changed in place: the next
 * handshake gets the new certificate, while connections and streams already open go on.
 */
public final class ServingCertificate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServingCertificate.class);

    private final Pki.Identity ca;
    private final List<String> hosts;
    private final Clock clock;
    private final AdvancedTlsX509KeyManager keys;
    private final ScheduledExecutorService renewer;
    private volatile Pki.Identity current;

    /** Issues the first certificate for {@code hosts} and looks every {@code check} whether it is due for renewal. */
    public ServingCertificate(Pki.Identity ca, List<String> hosts, Clock clock, Duration check) {
        this.ca = ca;
        this.hosts = List.copyOf(hosts);
        this.clock = clock;
        this.current = Pki.serverCertificate(ca, this.hosts);
        this.keys = Pki.keyManager(current);
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serving-certificate");
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleWithFixedDelay(() -> {
            try {
                renewIfDue();
            } catch (RuntimeException e) {
                LOG.warn("renewing the serving certificate failed, trying again later: {}", e.getMessage());
            }
        }, check.toMillis(), check.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What the endpoints present. */
    public AdvancedTlsX509KeyManager keys() {
        return keys;
    }

    public Pki.Identity current() {
        return current;
    }

    /** Issues and presents a new certificate if the current one is due; whether it did. */
    public synchronized boolean renewIfDue() {
        if (!Pki.dueForRenewal(current.certificatePem(), clock.instant())) {
            return false;
        }
        Pki.Identity next = Pki.serverCertificate(ca, hosts);
        Pki.present(keys, next);
        current = next;
        LOG.info("renewed the serving certificate of the agent endpoints");
        return true;
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
