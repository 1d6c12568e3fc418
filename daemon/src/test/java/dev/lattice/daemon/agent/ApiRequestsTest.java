package dev.lattice.daemon.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiRequestsTest {
    @Test
    void onlyTheKubernetesApiIsReachable() {
        assertThat(ApiRequests.allowed("/api")).isTrue();
        assertThat(ApiRequests.allowed("/api/v1/namespaces?limit=500")).isTrue();
        assertThat(ApiRequests.allowed("/apis/apps/v1/deployments")).isTrue();
        assertThat(ApiRequests.allowed("/version")).isTrue();
        assertThat(ApiRequests.allowed("/openapi/v3")).isTrue();
        assertThat(ApiRequests.allowed("/metrics")).isFalse();
        assertThat(ApiRequests.allowed("/")).isFalse();
        assertThat(ApiRequests.allowed("/apiextras")).isFalse();
        assertThat(ApiRequests.allowed("/api/v1/../../metrics")).isFalse();
        assertThat(ApiRequests.allowed("/api/v1/%2e%2e/%2E%2E/logs")).isFalse();
        assertThat(ApiRequests.allowed("/api//v1")).isFalse();
        assertThat(ApiRequests.allowed("/api/v1/.")).isFalse();
    }

    @Test
    void aWatchEndsWithinTheBoundAndOtherRequestsAreLeftAlone() {
        int bound = ApiRequests.WATCH_SECONDS;
        assertThat(ApiRequests.boundWatch("/api/v1/pods?watch=true")).isEqualTo("/api/v1/pods?watch=true&timeoutSeconds=" + bound);
        assertThat(ApiRequests.boundWatch("/api/v1/pods?watch=1&timeoutSeconds=3600&limit=5"))
                .isEqualTo("/api/v1/pods?watch=1&limit=5&timeoutSeconds=" + bound);
        assertThat(ApiRequests.boundWatch("/api/v1/pods?timeoutSeconds=30&watch=true")).isEqualTo("/api/v1/pods?timeoutSeconds=30&watch=true");
        assertThat(ApiRequests.boundWatch("/api/v1/watch/pods")).isEqualTo("/api/v1/watch/pods?timeoutSeconds=" + bound);
        assertThat(ApiRequests.boundWatch("/api/v1/pods?limit=5")).isEqualTo("/api/v1/pods?limit=5");
        assertThat(ApiRequests.boundWatch("/api/v1/namespaces/watch")).isEqualTo("/api/v1/namespaces/watch");
    }
}
