package io.flexserve.loadtest;

import io.flexserve.loadtest.arrival.ArrivalProcess;
import io.flexserve.loadtest.arrival.ScheduleBounds;
import io.flexserve.loadtest.endpoint.EmbeddingsRequests;
import io.flexserve.loadtest.endpoint.Endpoint;
import io.flexserve.loadtest.endpoint.Payloads;
import io.flexserve.loadtest.report.ConsoleReport;
import io.flexserve.loadtest.report.CsvRecords;
import io.flexserve.loadtest.report.JsonReport;
import io.flexserve.loadtest.run.LoadTestRun;
import io.flexserve.loadtest.run.RunPlan;
import io.flexserve.loadtest.run.RunResult;
import io.flexserve.loadtest.run.ServerNotReadyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar flexserve-loadtest.jar [options]}: one open-loop load test against {@code POST /v1/embeddings}.
 *
 * <p>Exit status: 0 when the run completed (whatever its SLO attainment), 1 when the server never became ready or a
 * report file could not be written, 2 for invalid options, including a URL that is not loopback without
 * {@code --allow-remote}.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true, version = "flexserve-loadtest 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Open-loop load test of a flexserve server: requests per second at a latency target, and quality.")
public final class LoadTest implements Callable<Integer> {
    /** Arrival process names accepted by {@code --arrival}. */
    enum Arrival { POISSON, CONSTANT, BURSTY }

    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Server base URL (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--allow-remote", description = "Allow a host that is not loopback (127.0.0.0/8, localhost, ::1).")
    boolean allowRemote;

    @Option(names = "--arrival", defaultValue = "poisson", description = "poisson, constant or bursty (default: ${DEFAULT-VALUE}).")
    Arrival arrival;

    @Option(names = "--rate", defaultValue = "10", description = "Mean arrival rate, requests per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--burst-on-ms", defaultValue = "1000", description = "Bursty: length of each burst (default: ${DEFAULT-VALUE}).")
    long burstOnMs;

    @Option(names = "--burst-off-ms", defaultValue = "1000", description = "Bursty: silence after each burst (default: ${DEFAULT-VALUE}).")
    long burstOffMs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the arrival process (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--requests", description = "Send at most N requests (hard cap " + ScheduleBounds.HARD_CAP + ").")
    Integer requests;

    @Option(names = "--duration-s", description = "Schedule no request after S seconds.")
    Double durationSeconds;

    @Option(names = "--timeout-s", defaultValue = "30", description = "Per-request timeout, seconds (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--text-file", description = "Inputs, one per line, used round-robin (default: 20 built-in sentences).")
    Path textFile;

    @Option(names = "--inputs-per-request", defaultValue = "1", description = "Inputs per request (default: ${DEFAULT-VALUE}).")
    int inputsPerRequest;

    @Option(names = "--model", defaultValue = "all-minilm-l6-v2", description = "Model name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--target-ms", description = "Latency target, ms: sent as X-Latency-Target-Ms and used to judge the SLO.")
    Double targetMs;

    @Option(names = "--strict", description = "Send X-Deadline-Policy: strict (reject rather than answer late).")
    boolean strict;

    @Option(names = "--ready-timeout-s", defaultValue = "120", description = "Wait this long for /v2/health/ready (default: ${DEFAULT-VALUE}).")
    long readyTimeoutSeconds;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the report as JSON.")
    Path jsonFile;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write one CSV row per request.")
    Path csvFile;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured picocli command line, for {@link #main} and tests. */
    static CommandLine commandLine() {
        return new CommandLine(new LoadTest()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public Integer call() throws InterruptedException {
        RunPlan plan = plan();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (requests == null && rate * durationSeconds > ScheduleBounds.HARD_CAP) {
            err.println("note: " + rate + " req/s for " + durationSeconds + " s exceeds the hard cap; stopping at "
                    + ScheduleBounds.HARD_CAP + " requests");
        }
        RunResult result;
        try {
            result = LoadTestRun.execute(plan, LoadTestRun.newClient(Duration.ofSeconds(5)), message -> {
                err.println(message);
                err.flush();
            });
        } catch (ServerNotReadyException e) {
            err.println(e.getMessage());
            return 1;
        }
        Map<String, String> settings = plan.describe();
        out.print(ConsoleReport.render(result.report(), settings));
        out.flush();
        try {
            if (jsonFile != null) {
                Files.writeString(jsonFile, JsonReport.render(result.report(), settings) + "\n", StandardCharsets.UTF_8);
                err.println("report written to " + jsonFile);
            }
            if (csvFile != null) {
                try (Writer w = Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8)) {
                    CsvRecords.write(result.records(), w);
                }
                err.println("per-request records written to " + csvFile);
            }
        } catch (IOException e) {
            err.println("cannot write report: " + e);
            return 1;
        }
        return 0;
    }

    // Turns options into a validated plan; any invalid value becomes a usage error (exit 2) naming it.
    private RunPlan plan() {
        try {
            Endpoint endpoint = Endpoint.parse(url, allowRemote);
            if (requests == null && durationSeconds == null) {
                throw new IllegalArgumentException("give --requests N and/or --duration-s S to bound the run");
            }
            if (requests != null && (requests < 1 || requests > ScheduleBounds.HARD_CAP)) {
                throw new IllegalArgumentException("--requests must be 1.." + ScheduleBounds.HARD_CAP + ", got " + requests);
            }
            if (!(timeoutSeconds > 0)) {
                throw new IllegalArgumentException("--timeout-s must be > 0, got " + timeoutSeconds);
            }
            if (readyTimeoutSeconds < 0) {
                throw new IllegalArgumentException("--ready-timeout-s must be >= 0, got " + readyTimeoutSeconds);
            }
            ScheduleBounds bounds = new ScheduleBounds(requests == null ? ScheduleBounds.HARD_CAP : requests,
                    durationSeconds == null ? Double.POSITIVE_INFINITY : durationSeconds);
            ArrivalProcess process = switch (arrival) {
                case POISSON -> new ArrivalProcess.Poisson(rate);
                case CONSTANT -> new ArrivalProcess.Constant(rate);
                case BURSTY -> new ArrivalProcess.Bursty(rate, burstOnMs, burstOffMs);
            };
            Payloads payloads = textFile == null
                    ? Payloads.builtIn(inputsPerRequest)
                    : Payloads.fromFile(textFile, inputsPerRequest);
            EmbeddingsRequests calls = new EmbeddingsRequests(endpoint, model, payloads,
                    targetMs == null ? OptionalDouble.empty() : OptionalDouble.of(targetMs), strict,
                    Duration.ofNanos(Math.round(timeoutSeconds * 1e9)));
            return new RunPlan(calls, process, bounds, seed, Duration.ofSeconds(readyTimeoutSeconds));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot read --text-file " + textFile + ": " + e, e);
        }
    }
}
