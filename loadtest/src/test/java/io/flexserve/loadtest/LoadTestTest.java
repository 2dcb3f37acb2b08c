package io.flexserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flexserve.loadtest.testing.FakeEmbeddingsServer;
import io.flexserve.loadtest.testing.FakeEmbeddingsServer.Behaviour;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LoadTestTest {

    private record Run(int exitCode, String out, String err) {
    }

    @Test
    void main_fakeServer_printsSummaryAndWritesJsonAndCsv(@TempDir Path dir) throws IOException {
        try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(5, 0, 0))) {
            Path json = dir.resolve("report.json");
            Path csv = dir.resolve("requests.csv");

            Run run = run("--url", server.url(), "--arrival", "bursty", "--rate", "200", "--burst-on-ms", "50",
                    "--burst-off-ms", "50", "--requests", "30", "--target-ms", "5000", "--inputs-per-request", "2",
                    "--json", json.toString(), "--csv", csv.toString());

            assertEquals(0, run.exitCode(), run.err());
            assertEquals(30, server.received());
            assertTrue(run.out().contains("sent              30"), run.out());
            String report = Files.readString(json);
            assertTrue(report.contains("\"sent\":30,\"ok\":24,\"rejected429\":6,"), report);
            assertTrue(report.contains("\"arrival\":\"bursty 200.0 req/s"), report);
            assertEquals(31, Files.readAllLines(csv).size());
            assertTrue(server.bodies().get(0).contains("\"input\":["), server.bodies().get(0));
        }
    }

    @Test
    void main_remoteHost_exitsTwoWithMessage() {
        Run run = run("--url", "http://192.0.2.10:8080", "--requests", "1");

        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("not a loopback host"), run.err());
    }

    @Test
    void main_noBound_exitsTwo() {
        Run run = run("--rate", "5");

        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--requests N and/or --duration-s S"), run.err());
    }

    @Test
    void main_requestsAboveHardCap_exitsTwo() {
        assertEquals(2, run("--requests", "100001").exitCode());
    }

    @Test
    void main_serverNotReady_exitsOne() throws IOException {
        try (FakeEmbeddingsServer server = FakeEmbeddingsServer.start(new Behaviour(0, Integer.MAX_VALUE, 0))) {
            Run run = run("--url", server.url(), "--requests", "1", "--ready-timeout-s", "0");

            assertEquals(1, run.exitCode());
            assertTrue(run.err().contains("server not ready"), run.err());
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LoadTest.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
