package dev.lattice.engine.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link Events} as core/v1 Events, the kind {@code kubectl describe} lists under an object, in the background on
 * one thread, each with one server-side apply (no read). Like client-go's recorder it keeps the API server's load bounded: a repeat of the same event about the
 * same object within {@link #REPEAT} raises the count of the one written instead of making another, and a token bucket
 * (one for normal events, one for warnings, so that a burst of the one never silences the other) drops what a fleet's
 * first placement would otherwise turn into tens of thousands of writes. Dropped events are counted ({@link #dropped}).
 */
public final class EventRecorder implements Events, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    /** Repeats within this long count on the event already written. */
    static final Duration REPEAT = Duration.ofMinutes(10);
    /** The API server keeps at most this much of a message. */
    static final int MESSAGE_LIMIT = 1024;
    private static final int QUEUE = 1000;
    private static final int REMEMBERED = 4096;

    private final Applier applier;
    private final String component;
    private final String instance;
    private final Clock clock;
    private final Bucket normal;
    private final Bucket warnings;
    private final ThreadPoolExecutor writer;
    private final Map<String, Written> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicBoolean toldFailure = new AtomicBoolean();

    private record Written(String namespace, String name, int count, Instant first, Instant last) {
    }

    /**
     * {@code component} names the writer ({@code source.component}, {@code reportingComponent}); {@code instance} the
     * replica ({@code reportingInstance}, {@code source.host}). {@code burst} events of each type at once, then
     * {@code perSecond}.
     */
    public EventRecorder(KubernetesClient client, String component, String instance, Clock clock, int burst, double perSecond) {
        this.applier = new Applier(client);
        this.component = component;
        this.instance = instance;
        this.clock = clock;
        this.normal = new Bucket(burst, perSecond);
        this.warnings = new Bucket(burst, perSecond);
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "events");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void emit(HasMetadata about, boolean warning, String reason, String message) {
        if (about.getMetadata().getUid() == null) {
            return; // kubectl describe finds an object's events by its uid
        }
        if (!(warning ? warnings : normal).take(System.nanoTime())) {
            dropped.incrementAndGet();
            return;
        }
        ObjectReference ref = new ObjectReferenceBuilder().withApiVersion(about.getApiVersion()).withKind(about.getKind())
                .withNamespace(about.getMetadata().getNamespace()).withName(about.getMetadata().getName())
                .withUid(about.getMetadata().getUid()).build();
        String text = message == null ? "" : message.length() > MESSAGE_LIMIT ? message.substring(0, MESSAGE_LIMIT - 3) + "..." : message;
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        try {
            writer.execute(() -> write(ref, warning ? "Warning" : "Normal", reason, text, now));
        } catch (RejectedExecutionException e) {
            dropped.incrementAndGet();
        }
    }

    /** Events not written: over the rate, the queue full, or closed. */
    public long dropped() {
        return dropped.get();
    }

    private void write(ObjectReference about, String type, String reason, String message, Instant now) {
        // Cluster-scoped objects' events live in default, as client-go puts them.
        String namespace = about.getNamespace() == null ? "default" : about.getNamespace();
        String key = about.getUid() + "\n" + type + "\n" + reason + "\n" + message;
        Written before;
        synchronized (recent) {
            before = recent.get(key);
        }
        // A repeat is the same Event applied again with its count raised (expired meanwhile: applied anew, which is
        // what a server-side apply of a missing object does); a new one gets a name of its own.
        Written after = before != null && before.last().plus(REPEAT).isAfter(now)
                ? new Written(before.namespace(), before.name(), before.count() + 1, before.first(), now)
                : new Written(namespace, about.getName() + "." + Long.toHexString(now.toEpochMilli() * 1_000_000 + sequence.getAndIncrement() % 1_000_000),
                1, now, now);
        Event event = new EventBuilder()
                .withNewMetadata().withNamespace(after.namespace()).withName(after.name()).endMetadata()
                .withInvolvedObject(about).withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(component).withHost(instance).endSource()
                .withReportingComponent(component).withReportingInstance(instance)
                .withFirstTimestamp(after.first().toString()).withLastTimestamp(now.toString()).withCount(after.count())
                .build();
        try {
            applier.send(event, "events");
            synchronized (recent) {
                recent.put(key, after);
            }
        } catch (KubernetesClientException e) {
            dropped.incrementAndGet();
            if (toldFailure.compareAndSet(false, true)) {
                LOG.warn("cannot write Events ({} {}); further failures are not logged", e.getCode(), Applier.reason(e));
            }
        }
    }

    /** Writes what is queued (for at most a few seconds), then stops. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A token bucket: {@code burst} at once, refilled at {@code perSecond}. */
    private static final class Bucket {
        private final double burst;
        private final double perNano;
        private double tokens;
        private long last;

        Bucket(int burst, double perSecond) {
            this.burst = burst;
            this.perNano = perSecond / 1e9;
            this.tokens = burst;
            this.last = System.nanoTime();
        }

        synchronized boolean take(long nanos) {
            tokens = Math.min(burst, tokens + (nanos - last) * perNano);
            last = nanos;
            if (tokens < 1) {
                return false;
            }
            tokens--;
            return true;
        }
    }
}
