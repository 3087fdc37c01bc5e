using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.V1;

namespace Mesh.Bench.RedisMemory;

/// <summary>
/// Users and their orders as clients make them, through the gateway: Register and Login, then
/// PlaceOrder with an idempotency key, retried with the same key while the mesh answers that it
/// is busy or unavailable (as a client should; a retry creates nothing twice).
/// </summary>
public sealed class OrderTraffic(GrpcChannel gateway)
{
    public const string Password = "bench horse battery staple";

    // Prices from the order service's catalog (appsettings.json). Every twentieth order is the
    // espresso machine: a user's second one exceeds the default credit, so some orders are rejected.
    private static readonly string[] Skus = ["TEA-GREEN", "COFFEE-250G", "MUG-BLUE"];
    private const string Expensive = "ESPRESSO-MACHINE";
    private const int MaxAttempts = 30;

    private readonly Auth.AuthClient _auth = new(gateway);
    private readonly Orders.OrdersClient _orders = new(gateway);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, BenchUser> _sessions = new();

    public async Task<IReadOnlyList<BenchUser>> RegisterAsync(int count, int concurrency, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var users = new BenchUser[count];
        long done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var email = $"bench-{i}-{Guid.NewGuid():N}@example.test";
                await RetryAsync(() => _auth.RegisterAsync(new RegisterRequest { Email = email, Password = Password, DisplayName = $"Bench {i}" },
                    deadline: Deadline, cancellationToken: token).ResponseAsync, token);
                users[i] = await LoginAsync(email, token);
                progress.Report(Interlocked.Increment(ref done));
            });
        return users;
    }

    public async Task<BenchUser> LoginAsync(string email, CancellationToken cancellationToken)
    {
        var session = await RetryAsync(() => _auth.LoginAsync(new LoginRequest { Email = email, Password = Password },
            deadline: Deadline, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
        return new BenchUser(email, session.UserId, session.Token);
    }

    /// <summary>Places <paramref name="count"/> orders, the i-th by user i mod users; returns how many were accepted.</summary>
    public async Task<long> PlaceAsync(IReadOnlyList<BenchUser> users, int count, int concurrency, IProgress<long> progress, CancellationToken cancellationToken)
    {
        long placed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                await PlaceOneAsync(users[i % users.Count], $"bench-{i}", i, token);
                progress.Report(Interlocked.Increment(ref placed));
            });
        return placed;
    }

    public async Task PlaceOneAsync(BenchUser user, string idempotencyKey, int index, CancellationToken cancellationToken)
    {
        var request = new PlaceOrderRequest
        {
            IdempotencyKey = idempotencyKey,
            Lines = { new OrderLine { Sku = index % 20 == 19 ? Expensive : Skus[index % Skus.Length], Quantity = 1 } },
        };
        var session = _sessions.GetValueOrDefault(user.Email, user);
        try
        {
            await RetryAsync(() => _orders.PlaceOrderAsync(request, session.Headers, Deadline, cancellationToken).ResponseAsync, cancellationToken);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Unauthenticated)
        {
            // The session idled out (the benchmark shortens the idle timeout, and registering many
            // users on a busy machine can take longer): log in again, as a client would, and retry.
            session = _sessions[user.Email] = await LoginAsync(user.Email, cancellationToken);
            await RetryAsync(() => _orders.PlaceOrderAsync(request, session.Headers, Deadline, cancellationToken).ResponseAsync, cancellationToken);
        }
    }

    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException exception) when (attempt < MaxAttempts
                && exception.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.DeadlineExceeded)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Min(attempt, 10)), cancellationToken);
            }
        }
    }
}
