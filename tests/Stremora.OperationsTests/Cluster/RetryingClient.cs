using System.Net;

namespace Stremora.OperationsTests.Cluster;

/// <summary>
/// A client as a well-behaved app would be: 502/503 (an instance died under the request, or none could take
/// it) are retried. Counts what happened, so the test can show and assert it.
/// </summary>
public sealed class RetryingClient(HttpClient http)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(250);

    private int _operations;
    private int _retries;
    private int _inProgressWaits;
    private int _retryableFailures;
    private int _otherFirstAnswers;

    public int Operations => _operations;

    /// <summary>Requests sent again after a 502/503.</summary>
    public int Retries => _retries;

    /// <summary>Retries answered 409 "upload in progress": the lost first attempt holds the key until the sweep fails it.</summary>
    public int InProgressWaits => _inProgressWaits;

    /// <summary>First answers that were 502/503.</summary>
    public int RetryableFailures => _retryableFailures;

    /// <summary>First answers that were neither the expected status nor 502/503: must stay 0.</summary>
    public int UnexpectedAnswers => _otherFirstAnswers;

    /// <summary>
    /// Sends until the answer is one of <paramref name="done"/>; <paramref name="doneOnRetry"/> are accepted only
    /// on a retry (a delete whose lost first attempt had committed answers 404). Returns the final answer's body.
    /// </summary>
    public async Task<string> SendAsync(Func<HttpRequestMessage> request, HttpStatusCode[] done, params HttpStatusCode[] doneOnRetry)
    {
        ArgumentNullException.ThrowIfNull(request);
        Interlocked.Increment(ref _operations);
        var deadline = DateTime.UtcNow + GiveUpAfter;
        for (var attempt = 1; ; attempt++)
        {
            using var message = request();
            using var response = await http.SendAsync(message);
            var status = response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            if (done.Contains(status) || (attempt > 1 && doneOnRetry.Contains(status)))
            {
                return body;
            }

            var retryable = status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable;
            if (attempt == 1)
            {
                Interlocked.Increment(ref retryable ? ref _retryableFailures : ref _otherFirstAnswers);
            }

            // A retried upload whose first attempt died mid-way finds its key held until the sweep fails that upload.
            var inProgress = attempt > 1 && status == HttpStatusCode.Conflict && body.Contains("in progress", StringComparison.Ordinal);
            if ((!retryable && !inProgress) || DateTime.UtcNow > deadline)
            {
                throw new HttpRequestException($"{message.Method} {message.RequestUri} answered {(int)status} on attempt {attempt}: {body}");
            }

            Interlocked.Increment(ref inProgress ? ref _inProgressWaits : ref _retries);
            await Task.Delay(Pause);
        }
    }
}
