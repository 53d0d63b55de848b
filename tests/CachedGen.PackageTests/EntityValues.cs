using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using CachedGen;
using Xunit;

// Result types shaped like an EF Core / DDD application's. Their generated formatters set private setters, backing
// fields and protected constructors through [UnsafeAccessor]: that code must build warning-free in a consumer's build.
namespace PackageConsumer.Entities
{
    public class Customer
    {
        public Customer(string name) => Name = name;

        protected Customer()
        {
        }

        public int Id { get; private set; }

        public string Name { get; private set; } = "";

        public ICollection<Order> Orders { get; private set; } = new HashSet<Order>();

        public IReadOnlyList<string> Tags { get; } = new List<string>();

        public required DateOnly Since { get; init; }

        public Int128 Balance { get; set; }

        public System.Text.Json.JsonElement Settings { get; set; }

        public void Stored(int id) => Id = id;
    }

    public sealed class Order
    {
        private Order()
        {
        }

        public Order(int id, Money total) => (Id, Total) = (id, total);

        public int Id { get; private set; }

        public Money Total { get; private set; } = new(0m, "EUR");
    }

    public sealed record Money(decimal Amount, string Currency);

    public struct Reading
    {
        public readonly int Value;

        public int Scale { get; private set; }
    }

    public interface ICustomers
    {
        [Cached("5m", "customer:{id}")]
        Task<Customer?> GetAsync(int id);

        [Cached("5m", "reading:{id}")]
        Task<Reading> ReadingAsync(int id);
    }

    public sealed class CustomerSource : ICustomers
    {
        public int Loads { get; private set; }

        public Task<Customer?> GetAsync(int id)
        {
            Loads++;
            var customer = new Customer("Ann") { Since = new DateOnly(2026, 1, 2), Balance = Int128.MaxValue };
            customer.Stored(id);
            customer.Orders.Add(new Order(1, new Money(1.10m, "EUR")));
            return Task.FromResult<Customer?>(customer);
        }

        public Task<Reading> ReadingAsync(int id) => Task.FromResult(default(Reading));
    }

    public class EntityValueTests
    {
        [Fact]
        public async Task An_entity_result_is_cached()
        {
            var source = new CustomerSource();
            ICustomers customers = new CachedCustomers(source, new CacheRuntime(new CachedGenOptions()));

            var first = await customers.GetAsync(3);
            Assert.Same(first, await customers.GetAsync(3));
            Assert.Equal((3, "Ann", 1), (first!.Id, first.Name, source.Loads));
        }
    }
}
