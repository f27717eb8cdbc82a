using System.Buffers;
using System.Net;

namespace MailRapport.Server.Graph;

/// <summary>
/// A response body read once into a buffer rented from the shared pool (a delta page is often over a megabyte: a new
/// array per page would be a large-object allocation each time). Its read stream is a <see cref="MemoryStream"/>
/// whose buffer is visible, so a reader can parse the bytes in place; disposing the stream (or the content, when no
/// stream was made) returns the buffer.
/// </summary>
internal sealed class PooledJsonContent : HttpContent
{
    private byte[]? _buffer;
    private readonly int _length;
    private bool _streamMade;

    private PooledJsonContent(byte[] buffer, int length, HttpContent original)
    {
        _buffer = buffer;
        _length = length;
        foreach (var header in original.Headers)
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) &&
                !header.Key.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase))
                Headers.TryAddWithoutValidation(header.Key, header.Value);
        Headers.ContentLength = length;
    }

    public ReadOnlySpan<byte> Span => _buffer is null ? throw new ObjectDisposedException(nameof(PooledJsonContent)) : _buffer.AsSpan(0, _length);

    /// <summary>Reads <paramref name="content"/> to its end (disposing it) into a pooled buffer.</summary>
    public static async Task<PooledJsonContent> ReadAsync(HttpContent content, CancellationToken ct)
    {
        long? declared = content.Headers.ContentLength;
        var buffer = ArrayPool<byte>.Shared.Rent(declared is > 0 and < int.MaxValue ? (int)declared.Value : 64 * 1024);
        int length = 0;
        try
        {
            await using (var stream = await content.ReadAsStreamAsync(ct))
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    int read = await stream.ReadAsync(buffer.AsMemory(length), ct);
                    if (read == 0) break;
                    length += read;
                }
            }
            var result = new PooledJsonContent(buffer, length, content);
            content.Dispose();
            return result;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(_buffer ?? throw new ObjectDisposedException(nameof(PooledJsonContent)), 0, _length);

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    protected override Task<Stream> CreateContentReadStreamAsync()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(PooledJsonContent));
        _streamMade = true;
        return Task.FromResult<Stream>(new ReturningStream(buffer, _length));
    }

    protected override void Dispose(bool disposing)
    {
        // Once a stream was handed out, it owns the buffer (it may outlive this content).
        if (disposing && !_streamMade && Interlocked.Exchange(ref _buffer, null) is { } buffer)
            ArrayPool<byte>.Shared.Return(buffer);
        base.Dispose(disposing);
    }

    /// <summary>Read-only, publicly visible buffer; returns it to the pool when disposed.</summary>
    private sealed class ReturningStream(byte[] buffer, int length) : MemoryStream(buffer, 0, length, writable: false, publiclyVisible: true)
    {
        private byte[]? _owned = buffer;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing && Interlocked.Exchange(ref _owned, null) is { } b) ArrayPool<byte>.Shared.Return(b);
        }
    }
}
