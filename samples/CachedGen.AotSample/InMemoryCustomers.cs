using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.AotSample;

/// <summary>The customers' source: a dictionary that counts the reads that reach it.</summary>
public sealed class InMemoryCustomers : ICustomerRepository
{
    private readonly Dictionary<int, Customer> _rows = new()
    {
        [1] = Customer.Register(1, "Ada", "FR", new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.FromHours(1)), new Guid("6f1c9a52-0d8e-4a43-9d7e-3c3b8f1e2a10"), CustomerLevel.Of("gold", 15), new Address("1 rue Haute", "Lyon"), new Address("2 quai Bas", "Paris")),
        [2] = Customer.Register(2, "Grace", "FR", new DateTimeOffset(2025, 7, 14, 0, 0, 0, TimeSpan.Zero), new Guid("0a9e7d3c-55b1-4f0e-8a2b-91c4d6e7f801"), CustomerLevel.Of("silver", 5)),
    };

    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public Task<Customer?> FindAsync(int id)
    {
        Interlocked.Increment(ref _reads);
        lock (_rows)
        {
            return Task.FromResult(_rows.GetValueOrDefault(id));
        }
    }

    public Task SaveAsync(int id, Customer entity)
    {
        lock (_rows)
        {
            _rows[id] = entity;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<int>> IdsInCountryAsync(string country)
    {
        Interlocked.Increment(ref _reads);
        lock (_rows)
        {
            return Task.FromResult<IReadOnlyList<int>>(_rows.Values.Where(c => c.Country == country).Select(c => c.Id).Order().ToList());
        }
    }

    public Task MoveAsync(int id, string from, string to)
    {
        lock (_rows)
        {
            _rows[id] = _rows[id].MovedTo(to);
        }

        return Task.CompletedTask;
    }
}
