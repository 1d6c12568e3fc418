package dev.lattice.engine.kube;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/** A Secret's values as text. Whoever calls this holds secrets: never print or log the values. */
public final class Secrets {
    private Secrets() {
    }

    /** {@code data} decoded, with {@code stringData} (what a client wrote and the server has not merged yet) over it. */
    public static Map<String, String> text(Secret secret) {
        Map<String, String> values = new TreeMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData());
        }
        return values;
    }

    /** Text values in the encoding of a Secret's {@code data}. */
    public static Map<String, String> data(Map<String, String> text) {
        Map<String, String> data = new TreeMap<>();
        text.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return data;
    }
}
