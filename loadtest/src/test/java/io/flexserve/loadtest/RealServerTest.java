package io.flexserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.report.JsonReport;
import io.flexserve.loadtest.report.Report;
import io.flexserve.loadtest.testing.PrometheusText;
import io.flexserve.loadtest.testing.ServerProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The load tester against the real server: starts {@code ../server/target/flexserve.jar} with a queue of 4, drives
 * it through the command line, and checks that the report's counts equal the deltas of the server's own Prometheus
 * counters. In the reactor build the server module is built before this one, so the jar exists; the test is skipped
 * only when it does not.
 *
 * <p>Takes about 20–40 s, most of it the server's first start (model conversion into {@code target/it-cache}, then a
 * latency profile with 3 repeats).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServerTest {
    private static final String MODEL = "all-minilm-l6-v2";
    private static final Map<String, String> OF_MODEL = Map.of("model", MODEL);

    private ServerProcess server;

    @BeforeAll
    void startServer() throws IOException {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path jar = module.resolve("../server/target/flexserve.jar").normalize();
        Assumptions.assumeTrue(Files.isRegularFile(jar),
                "skipped: " + jar + " does not exist; build the server module first (mvn package runs it before loadtest)");
        Path target = Files.createDirectories(module.resolve("target"));
        server = ServerProcess.start(jar, Map.of(
                "ORT_DISABLE_TELEMETRY", "1",
                "OPT_OUT_TRACKING", "true",
                "FLEXSERVE_CACHE_DIR", target.resolve("it-cache").toString(),
                "FLEXSERVE_PROFILE_REPEATS", "3",
                "FLEXSERVE_QUEUE_CAPACITY", "4"), target.resolve("it-server.log"));
        server.awaitReady(Duration.ofSeconds(180));
    }

    @AfterAll
    void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void bestEffortRuns_reportCountsEqualTheServersMetricDeltas(@TempDir Path dir) throws Exception {
        // A gentle run with ample slack: the default policy puts every request on the most accurate, full.
        PrometheusText before = server.metrics();
        Report gentle = run(dir.resolve("gentle"), "--requests", "20", "--rate", "10", "--seed", "3", "--target-ms", "1000");
        assertCountsMatch(gentle, before, server.metrics());
        assertEquals(Map.of("full", 20L), gentle.subnetCounts(), "ample slack at low load means the full model");

        // 150 requests at 400 req/s into a queue of 4: some are shed; tight targets move work to smaller sub-networks.
        before = server.metrics();
        Report report = run(dir.resolve("shed"), "--requests", "150", "--rate", "400", "--seed", "7", "--target-choices", "3,10,60");
        String counts = assertCountsMatch(report, before, server.metrics());
        assertTrue(report.rejected() > 0, "a queue of 4 at 400 req/s sheds some requests; " + counts);
        assertTrue(report.subnetCounts().keySet().stream().anyMatch(s -> !s.equals("full")),
                "tight targets under load use a smaller sub-network; " + counts);
        assertTrue(report.subnetQuality().containsKey("full"), "qualities come from /v1/models");
    }

    /** The report's counts equal the server's metric deltas over the same run; returns a summary for messages. */
    private static String assertCountsMatch(Report report, PrometheusText before, PrometheusText after) {
        String counts = "report: " + report.ok() + " ok, " + report.rejected() + " 429, subnets " + report.subnetCounts();
        assertEquals(report.sent(), report.ok() + report.rejected(), counts);
        assertEquals(0, report.errors(), counts);
        assertEquals(report.ok(), delta(before, after, "flexserve_requests_total", Map.of("model", MODEL, "status", "200")),
                counts);
        assertEquals(report.subnetCounts(), subnetDeltas(before, after), counts);
        assertEquals(report.rejected(), rejections(before, after), counts);
        assertEquals(report.serverMet(), delta(before, after, "flexserve_deadline_total",
                Map.of("model", MODEL, "outcome", "met")), counts);
        assertEquals(report.serverVerdicts(), delta(before, after, "flexserve_deadline_total", OF_MODEL), counts);
        return counts;
    }

    @Test
    void strictUnreachableTarget_everyRequestIsShedAndCountedAsDeadlineUnsatisfiable(@TempDir Path dir)
            throws Exception {
        PrometheusText before = server.metrics();

        Report report = run(dir, "--requests", "20", "--rate", "200", "--target-ms", "0.01", "--strict");

        PrometheusText after = server.metrics();
        assertEquals(20, report.rejected());
        assertEquals(20, rejections(before, after));
        assertEquals(20, delta(before, after, "flexserve_rejections_total",
                Map.of("model", MODEL, "reason", "deadline_unsatisfiable")));
        assertEquals(0, delta(before, after, "flexserve_requests_total", OF_MODEL));
    }

    // Runs the command line with --json and --html into dir and reads the JSON report back.
    private Report run(Path dir, String... args) throws IOException {
        Files.createDirectories(dir);
        Path json = dir.resolve("report.json");
        Path html = dir.resolve("report.html");
        List<String> all = new ArrayList<>(List.of("run", "--url", server.url(), "--ready-timeout-s", "5",
                "--json", json.toString(), "--html", html.toString()));
        all.addAll(List.of(args));
        StringWriter err = new StringWriter();
        CommandLine cli = LoadTest.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute(all.toArray(String[]::new));

        assertEquals(0, code, err + "\n" + server.logTail());
        assertTrue(Files.readString(html, StandardCharsets.UTF_8).contains("<svg "));
        return JsonReport.parse(Files.readString(json, StandardCharsets.UTF_8)).report();
    }

    private static long rejections(PrometheusText before, PrometheusText after) {
        long sum = 0;
        for (String reason : new String[] {"queue_full", "overloaded", "deadline_unsatisfiable"}) {
            sum += delta(before, after, "flexserve_rejections_total", Map.of("model", MODEL, "reason", reason));
        }
        return sum;
    }

    private static long delta(PrometheusText before, PrometheusText after, String name, Map<String, String> match) {
        return Math.round(after.sum(name, match) - before.sum(name, match));
    }

    private static Map<String, Long> subnetDeltas(PrometheusText before, PrometheusText after) {
        Map<String, String> ok = Map.of("model", MODEL, "status", "200");
        Map<String, Double> b = before.sumBy("flexserve_requests_total", ok, "subnet");
        Map<String, Long> out = new TreeMap<>();
        after.sumBy("flexserve_requests_total", ok, "subnet").forEach((subnet, v) -> {
            long d = Math.round(v - b.getOrDefault(subnet, 0.0));
            if (d != 0) {
                out.put(subnet, d);
            }
        });
        return out;
    }
}
