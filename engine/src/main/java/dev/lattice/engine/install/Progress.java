package dev.lattice.engine.install;


/** What an install or uninstall tells the person watching it. Lines only; the CLI decides how they look. */
public interface Progress {
    /** A step starts. */
    void begin(String step);

    /** How a long step is getting on (machines ready, objects moved); replaces the previous update. */
    void update(String status);

    /** A step is done; {@code earlier} when an earlier run had done it. */
    void done(String step, boolean earlier);

    /** Something the person should know that is not a failure. */
    void warn(String message);

    /** Tells nobody. */
    Progress NONE = new Progress() {
        @Override
        public void begin(String step) {
        }

        @Override
        public void update(String status) {
        }

        @Override
        public void done(String step, boolean earlier) {
        }

        @Override
        public void warn(String message) {
        }
    };
}
