namespace Stremora.TestKit.FakeCloudinary;

/// <summary>Ways the fake can misbehave on upload and destroy requests.</summary>
public enum FakeCloudinaryFault
{
    /// <summary>HTTP 500 with Cloudinary's error body.</summary>
    InternalServerError,

    /// <summary>HTTP 503.</summary>
    ServiceUnavailable,

    /// <summary>HTTP 420, Cloudinary's own rate-limit status.</summary>
    RateLimited,

    /// <summary>HTTP 429.</summary>
    TooManyRequests,

    /// <summary>HTTP 400, Cloudinary's refusal of one file it cannot take ("Invalid video file").</summary>
    BadRequest,

    /// <summary>Reads the request, then never answers until the client gives up.</summary>
    Hang,

    /// <summary>Reads part of the request body, then drops the connection.</summary>
    ResetMidBody,

    /// <summary>Stores the file but reports one byte more than it received.</summary>
    WrongBytes,

    /// <summary>Stores the file but answers 200 with a body that is not JSON.</summary>
    InvalidJson,

    /// <summary>Stores the file but answers with an etag that is not its MD5, as if bytes had changed on the way.</summary>
    WrongEtag,
}

/// <summary>Fault switch: every request, or only the next N. Thread-safe.</summary>
public sealed class FakeCloudinaryFaults
{
    private readonly Lock _lock = new();
    private FakeCloudinaryFault? _always;
    private FakeCloudinaryFault? _next;
    private int _remaining;
    private int _passing;
    private int _taken;

    /// <summary>Every upload and destroy request fails this way until <see cref="Clear"/>.</summary>
    public void FailAll(FakeCloudinaryFault fault)
    {
        lock (_lock)
        {
            _always = fault;
            _next = null;
            _remaining = 0;
            _passing = 0;
        }
    }

    /// <summary>
    /// After <paramref name="after"/> more requests pass, the next <paramref name="count"/> upload or destroy
    /// requests fail this way; later ones succeed (e.g. <c>after: 2</c> fails the third chunk of an upload).
    /// </summary>
    public void FailNext(FakeCloudinaryFault fault, int count = 1, int after = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        lock (_lock)
        {
            _always = null;
            _next = fault;
            _remaining = count;
            _passing = after;
        }
    }

    /// <summary>How many requests have been failed so far (lets a test wait until a hang has begun).</summary>
    public int Taken => Volatile.Read(ref _taken);

    public void Clear()
    {
        lock (_lock)
        {
            _always = null;
            _next = null;
            _remaining = 0;
            _passing = 0;
        }
    }

    internal FakeCloudinaryFault? Take()
    {
        lock (_lock)
        {
            if (_always is { } always)
            {
                _taken++;
                return always;
            }

            if (_passing > 0)
            {
                _passing--;
                return null;
            }

            if (_remaining > 0)
            {
                _remaining--;
                _taken++;
                return _next;
            }

            return null;
        }
    }
}
