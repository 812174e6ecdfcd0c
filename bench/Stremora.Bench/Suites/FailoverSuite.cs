using Stremora.Bench.Infrastructure;
using Stremora.Bench.Reporting;
using Stremora.TestKit.Faults;

namespace Stremora.Bench.Suites;

/// <summary>
/// 3. Failover cost: small uploads when Cloudinary refuses connections (every upload tries it first), and when
/// it hangs with its circuit already open (it is skipped), each against an API whose chain is S3 only.
/// </summary>
internal static class FailoverSuite
{
    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var s3 = await context.S3Async();
        var fake = await context.CloudinaryAsync();
        var baseline = await context.SharedS3ApiAsync(cancellationToken);
        var file = context.Payloads.Get(options.FailoverBytes);
        var size = UploadSuites.Label(options.FailoverBytes);

        // Refusing: a port nobody listens on. The circuit is kept closed so that every upload pays the refusal.
        var refuseSettings = await context.CloudinaryChainSettingsAsync("failover-refuse");
        refuseSettings["CLOUDINARY_API_BASE_URL"] = $"http://127.0.0.1:{Loopback.FreePort()}/";
        refuseSettings["Storage__CircuitBreaker__MinimumThroughput"] = "1000000";
        var refusing = await context.StartApiAsync("failover-refuse", refuseSettings, cancellationToken);

        // Hanging: a proxy that accepts and never answers; short attempt limits open the circuit in the warm-up.
        await using var hang = new TcpFaultProxy("127.0.0.1", fake.BaseAddress.Port) { Fault = TcpFault.Hang };
        var hangSettings = await context.CloudinaryChainSettingsAsync("failover-hang");
        hangSettings["CLOUDINARY_API_BASE_URL"] = hang.BaseAddress + "/";
        hangSettings["Storage__Providers__cloudinary__IdleTimeoutSeconds"] = "1";
        hangSettings["Storage__Providers__cloudinary__TimeoutSeconds"] = "2";
        hangSettings["Storage__CircuitBreaker__MinimumThroughput"] = "2";
        hangSettings["Storage__CircuitBreaker__SamplingDurationSeconds"] = "600";
        hangSettings["Storage__CircuitBreaker__BreakDurationSeconds"] = "3600";
        var hanging = await context.StartApiAsync("failover-hang", hangSettings, cancellationToken);

        async Task<(double Seconds, UploadOutcome Outcome)> Upload(ApiProcess api)
        {
            var outcome = await UploadClient.UploadAsync(api.Http, context.Token, file, cancellationToken);
            UploadSuites.Expect(outcome, "s3");
            await s3.DeleteAsync(outcome.Locator, cancellationToken);
            return (outcome.Elapsed.TotalSeconds, outcome);
        }

        // Warm-up: JIT on all three; on the hanging one, until its circuit is open.
        await Upload(baseline);
        await Upload(refusing);
        var opened = false;
        for (var i = 0; i < 10 && !opened; i++)
        {
            var (_, outcome) = await Upload(hanging);
            opened = outcome.Attempts.Contains(("cloudinary", "skipped"));
        }

        if (!opened)
        {
            throw new InvalidOperationException("The hanging Cloudinary's circuit did not open in 10 uploads.");
        }

        var refused = new List<double>();
        var skipped = new List<double>();
        var direct = new List<double>();
        var apis = new[] { refusing, hanging, baseline };
        for (var run = 0; run < options.FailoverRuns; run++)
        {
            // Rotate the order so that no configuration always goes first.
            for (var k = 0; k < apis.Length; k++)
            {
                var api = apis[(run + k) % apis.Length];
                var (seconds, outcome) = await Upload(api);
                if (api == refusing)
                {
                    Check(outcome, "failed");
                    refused.Add(seconds);
                }
                else if (api == hanging)
                {
                    Check(outcome, "skipped");
                    skipped.Add(seconds);
                }
                else
                {
                    direct.Add(seconds);
                }
            }
        }

        Console.WriteLine($"    failover: {options.FailoverRuns} runs each done");
        await context.StopApiAsync(refusing);
        await context.StopApiAsync(hanging);
        context.Report.Add(BenchRow.Compare(
            "failover.refused",
            "3",
            $"{size} upload, Cloudinary refuses connections, falls over to S3 (s)",
            "s",
            refused,
            "same upload, chain = s3 only",
            direct,
            "≤ ×1.10",
            r => r <= 1.10));
        context.Report.Add(BenchRow.Compare(
            "failover.circuit-open",
            "3",
            $"{size} upload, Cloudinary hangs, circuit open (skipped), S3 stores (s)",
            "s",
            skipped,
            "same upload, chain = s3 only",
            direct,
            "≤ ×1.10",
            r => r <= 1.10));
    }

    private static void Check(UploadOutcome outcome, string cloudinaryOutcome)
    {
        if (!outcome.Attempts.Contains(("cloudinary", cloudinaryOutcome)))
        {
            throw new InvalidOperationException($"Expected Cloudinary '{cloudinaryOutcome}', attempts were: {string.Join(", ", outcome.Attempts)}.");
        }
    }
}
