// Starts the development node: OpenSearchRunner's own main(), with two differences.
//   - Any HTTP port can be asked for. The runner's main() takes the first free port from
//     -baseHttpPort + 1 up to 9299 and has no option to go higher (setMaxHttpPort is only in its
//     Java API); here the port is taken as given, and a port in use fails with a message.
//   - A failure to start is printed (its main() exits with status 1 and says nothing).
// start.sh runs it with `java` in source-file mode, the runner's jars on the class path; it takes
// the runner's own options (-basePath, -baseHttpPort, -clusterName, ...).
import org.codelibs.opensearch.runner.OpenSearchRunner;

public class RunNode {
    public static void main(String[] args) throws InterruptedException {
        OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        try {
            runner.build(args);
        } catch (RuntimeException e) {
            e.printStackTrace();
            Throwable cause = e;
            StringBuilder reasons = new StringBuilder(String.valueOf(e.getMessage()));
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
                reasons.append(": ").append(cause.getMessage());
            }
            // Last, so that the end of the log names the reason.
            System.err.println("OpenSearch did not start: " + reasons);
            System.exit(1);
        }
        while (!runner.isClosed()) {
            Thread.sleep(5000);
        }
    }
}
