package dev.lattice.daemon;

import dev.lattice.engine.crypto.Crypto;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts the daemon's test JVMs in FIPS mode, as {@code lattice-daemon} puts itself, before any test class makes a
 * client or an endpoint: every daemon test then runs on the Bouncy Castle FIPS provider in approved-only mode, its own
 * clients included. (A TLS context made before the mode changes would go on with the JDK's providers, and the FIPS
 * provider refuses the keys they then ask it for.) Registered for every test class by service loading
 * ({@code junit-platform.properties}).
 */
public final class FipsFirst implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        Crypto.enterFips();
    }
}
