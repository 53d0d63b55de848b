using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using CachedGen;

namespace CachedGen.AotSample;

public interface IEntity
{
    int Id { get; }
}

/// <summary>A generic repository as EF Core codebases write it: the base declares the cached read and the write that
/// invalidates it. Under Native AOT it is used only through an interface that closes it (<see cref="ICustomerRepository"/>),
/// which the generator decorates with concrete types and formatters written at compile time
/// (docs/serialization.md, "Generic repositories").</summary>
public interface IRepository<TEntity>
    where TEntity : class, IEntity
{
    [Cached("5m", "{TEntity}:{id}", nameof(SaveAsync))]
    Task<TEntity?> FindAsync(int id);

    Task SaveAsync(int id, TEntity entity);
}

/// <summary>The closed repository the application registers; it adds a cached method of its own. <see cref="Customer"/>
/// is reached only through the inherited <see cref="IRepository{TEntity}.FindAsync"/>: its formatters come from this
/// interface closing the base.</summary>
public interface ICustomerRepository : IRepository<Customer>
{
    [Cached("5m", "customers:country:{country}", Tags = ["customers:{country}"])]
    Task<IReadOnlyList<int>> IdsInCountryAsync(string country);

    [InvalidatesTags("customers:{from}", "customers:{to}")]
    Task MoveAsync(int id, string from, string to);
}

/// <summary>A DDD entity: created by a factory, its state changed only by its methods. A read from Redis creates it
/// through the protected constructor and sets every member through <c>[UnsafeAccessor]</c>s: private setters, a
/// get-only auto-property's backing field, a read-only field.</summary>
public sealed class Customer : IEntity
{
    private Customer()
    {
        Name = "";
        Country = "";
        Addresses = [];
    }

    public int Id { get; private set; }

    public string Name { get; private set; }

    public string Country { get; private set; }

    public DateTimeOffset Registered { get; }

    public readonly Guid ExternalId;

    public List<Address> Addresses { get; private set; }

    public CustomerLevel Level { get; private set; } = null!;

    public static Customer Register(int id, string name, string country, DateTimeOffset registered, Guid externalId, CustomerLevel level, params Address[] addresses)
        => new(id, registered, externalId) { Name = name, Country = country, Addresses = [.. addresses], Level = level };

    private Customer(int id, DateTimeOffset registered, Guid externalId)
        : this()
    {
        Id = id;
        Registered = registered;
        ExternalId = externalId;
    }

    public Customer MovedTo(string country)
    {
        var moved = (Customer)MemberwiseClone();
        moved.Country = country;
        return moved;
    }

    public Customer Renamed(string name)
    {
        var renamed = (Customer)MemberwiseClone();
        renamed.Name = name;
        return renamed;
    }

    /// <summary>Every member, private-set ones included, as one line (the sample compares a value read from Redis with
    /// the one the source returned by this).</summary>
    public string Describe()
        => $"{Id}|{Name}|{Country}|{Registered:O}|{ExternalId}|{Level.Describe()}|{string.Join(";", Addresses.ConvertAll(a => a.Describe()))}";
}

/// <summary>An owned value with a protected parameterless constructor (what EF Core needs) and private setters.</summary>
public class Address
{
    protected Address()
    {
        Street = "";
        City = "";
    }

    public Address(string line, string town)
    {
        Street = line;
        City = town;
    }

    public string Street { get; private set; }

    public string City { get; private set; }

    public string Describe() => $"{Street},{City}";
}

/// <summary>Get-only auto-properties and a read-only field, no constructor a read can match: set through their fields.</summary>
public sealed class CustomerLevel
{
    private CustomerLevel()
        : this("", 0)
    {
    }

    private CustomerLevel(string levelName, int discount)
    {
        Name = levelName;
        DiscountPercent = discount;
    }

    public static CustomerLevel Of(string name, int discountPercent) => new(name, discountPercent);

    public string Name { get; }

    public readonly int DiscountPercent;

    public string Describe() => $"{Name}:{DiscountPercent}";
}
