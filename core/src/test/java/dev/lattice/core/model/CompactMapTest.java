package dev.lattice.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A small map held in one array: a map like any other to those who read it, and read only. */
class CompactMapTest {
    private static Map<String, Object> condition() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", "Ready");
        map.put("status", "True");
        map.put("reason", "Applied");
        map.put("message", null);
        map.put("observedGeneration", 3L);
        return map;
    }

    @Test
    void readsAsTheMapItWasMadeFrom() {
        Map<String, Object> original = condition();
        CompactMap<String, Object> compact = CompactMap.copyOf(original);
        assertThat(compact).containsExactlyEntriesOf(original).hasSize(5);
        assertThat(compact.keySet()).containsExactly("type", "status", "reason", "message", "observedGeneration");
        assertThat(compact.get("reason")).isEqualTo("Applied");
        assertThat(compact.get("missing")).isNull();
        assertThat(compact.containsKey("message")).as("a null value is kept").isTrue();
        assertThat(compact.containsKey("missing")).isFalse();
        // Equal to any map of the same entries, whatever its order, both ways, with the same hash.
        Map<String, Object> unordered = new HashMap<>(original);
        assertThat(compact).isEqualTo(unordered);
        assertThat(unordered).isEqualTo(compact);
        assertThat(compact.hashCode()).isEqualTo(unordered.hashCode());
        assertThat(compact).isNotEqualTo(new HashMap<>(Map.of("type", "Ready"))); // fewer entries
        Map<String, Object> otherMessage = condition();
        otherMessage.put("message", "x"); // a null value against a value
        assertThat(compact).isNotEqualTo(otherMessage);
        assertThat(otherMessage).isNotEqualTo(compact);
        // Its views, in order.
        assertThat(compact.values()).containsExactly("Ready", "True", "Applied", null, 3L);
        assertThat(compact.entrySet()).extracting(Map.Entry::getKey).containsExactly("type", "status", "reason", "message", "observedGeneration");
        assertThat(compact.keySet().contains("reason")).isTrue();
        assertThat(compact.get(null)).as("a lookup of null is answered, as a LinkedHashMap's is").isNull();
        assertThat(CompactMap.copyOf(Map.of())).isEmpty();
    }

    @Test
    void theModelsMapsAreCompactWhereSmallAndKeepTheirOrder() {
        Map<String, Integer> small = new LinkedHashMap<>();
        IntStream.range(0, CompactMap.MAX).forEach(i -> small.put("k" + (CompactMap.MAX - i), i));
        assertThat(Immutable.map(small)).isInstanceOf(CompactMap.class).containsExactlyEntriesOf(small);
        Map<String, Integer> large = new LinkedHashMap<>(small);
        large.put("k0", CompactMap.MAX);
        assertThat(Immutable.map(large)).isNotInstanceOf(CompactMap.class).containsExactlyEntriesOf(large);
        assertThatThrownBy(() -> Immutable.map(large).put("k", 1)).isInstanceOf(UnsupportedOperationException.class);
        // The empty ones (and none at all) are the one empty map, which answers a lookup of null as the others do.
        assertThat(Immutable.map(new LinkedHashMap<>())).isSameAs(Immutable.map(null)).isEmpty();
        assertThat(Immutable.map(new LinkedHashMap<String, Integer>()).get(null)).isNull();
    }

    @Test
    void isWrittenAsJsonInItsOrder() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(json.writeValueAsString(Map.of("conditions", List.of(CompactMap.copyOf(condition())))))
                .isEqualTo(json.writeValueAsString(Map.of("conditions", List.of(condition()))));
    }

    @Test
    void cannotBeEdited() {
        CompactMap<String, Object> compact = CompactMap.copyOf(condition());
        assertThatThrownBy(() -> compact.put("status", "False")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> compact.remove("status")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> compact.entrySet().iterator().next().setValue("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(compact::clear).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void holdsOnlySmallMaps() {
        Map<String, Object> large = new LinkedHashMap<>();
        IntStream.range(0, CompactMap.MAX + 1).forEach(i -> large.put("k" + i, i));
        assertThatThrownBy(() -> CompactMap.copyOf(large)).isInstanceOf(IllegalArgumentException.class);
    }
}
