using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace CachedGen.Sample;

/// <summary>
/// The real data source: every call runs SQL against a SQLite file. <see cref="SourceCalls"/> counts the calls that
/// reached it, which is how the demo tells a cache hit from a miss.
/// </summary>
/// <param name="connectionString">A SQLite connection string with <c>Foreign Keys=True</c> (deletes cascade to fields).</param>
public sealed class SqliteFormRepository(string connectionString) : IFormRepository
{
    /// <summary>The tenant that owns the seeded forms.</summary>
    public static readonly Guid DemoTenant = new("5b0d6f1e-9c8a-4e43-9a51-2f8f1c7a3d10");

    /// <summary>A seeded user.</summary>
    public const string DemoUserEmail = "ada@example.com";

    private const int PageSize = 10;

    private int _sourceCalls;

    /// <summary>Calls that reached the database (cache misses and writes).</summary>
    public int SourceCalls => Volatile.Read(ref _sourceCalls);

    /// <summary>Creates the schema and seeds the demo data if the database is empty.</summary>
    public static async Task EnsureCreatedAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);

        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS forms (
                form_id   INTEGER PRIMARY KEY,
                tenant_id TEXT    NOT NULL,
                title     TEXT    NOT NULL,
                revision  INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS fields (
                form_id   INTEGER NOT NULL REFERENCES forms(form_id) ON DELETE CASCADE,
                position  INTEGER NOT NULL,
                name      TEXT    NOT NULL,
                kind      TEXT    NOT NULL,
                required  INTEGER NOT NULL,
                PRIMARY KEY (form_id, position));
            CREATE TABLE IF NOT EXISTS users (
                email        TEXT PRIMARY KEY COLLATE NOCASE,
                display_name TEXT NOT NULL,
                locale       TEXT NOT NULL);
            """, ct);

        await using (var count = connection.CreateCommand())
        {
            count.Transaction = transaction;
            count.CommandText = "SELECT COUNT(*) FROM forms";
            if (Convert.ToInt64(await count.ExecuteScalarAsync(ct)) > 0)
            {
                return; // Already seeded by an earlier run: keep its data (Redis may still hold entries for it).
            }
        }

        string[] titles = ["Customer intake", "Expense claim", "Leave request", "Incident report", "Job application"];
        (string Name, string Kind, bool Required)[] fieldPool =
        [
            ("name", "text", true), ("email", "email", true), ("date", "date", true),
            ("amount", "number", false), ("notes", "textarea", false),
        ];

        for (var formId = 1; formId <= 20; formId++)
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO forms (form_id, tenant_id, title, revision) VALUES ($id, $tenant, $title, 1)", ct,
                ("$id", formId), ("$tenant", DemoTenant.ToString()), ("$title", $"{titles[(formId - 1) % titles.Length]} #{formId}"));

            var fieldCount = 3 + formId % 3; // 3 to 5 fields
            for (var position = 0; position < fieldCount; position++)
            {
                var field = fieldPool[position];
                await ExecuteAsync(connection, transaction,
                    "INSERT INTO fields (form_id, position, name, kind, required) VALUES ($id, $pos, $name, $kind, $req)", ct,
                    ("$id", formId), ("$pos", position), ("$name", field.Name), ("$kind", field.Kind), ("$req", field.Required));
            }
        }

        await ExecuteAsync(connection, transaction,
            "INSERT INTO users (email, display_name, locale) VALUES ($e1, 'Ada Lovelace', 'en-GB'), ($e2, 'Grace Hopper', 'en-US')", ct,
            ("$e1", DemoUserEmail), ("$e2", "grace@example.com"));

        await transaction.CommitAsync(ct);
    }

    /// <inheritdoc/>
    public async Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _sourceCalls);
        await using var connection = await OpenAsync(ct);

        string title;
        int revision;
        await using (var form = Command(connection, "SELECT title, revision FROM forms WHERE form_id = $id", ("$id", formId)))
        await using (var reader = await form.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            title = reader.GetString(0);
            revision = reader.GetInt32(1);
        }

        var fields = new List<FieldDefinition>();
        await using (var query = Command(connection,
            "SELECT name, kind, required FROM fields WHERE form_id = $id ORDER BY position", ("$id", formId)))
        await using (var reader = await query.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                fields.Add(new FieldDefinition(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
            }
        }

        return new FormSchema(formId, title, revision, fields);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<FormSummary>> ListFormsAsync(Guid tenantId, int page, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _sourceCalls);
        await using var connection = await OpenAsync(ct);
        await using var query = Command(connection,
            "SELECT form_id, title FROM forms WHERE tenant_id = $tenant ORDER BY form_id LIMIT $take OFFSET $skip",
            ("$tenant", tenantId.ToString()), ("$take", PageSize), ("$skip", (Math.Max(page, 1) - 1) * PageSize));
        await using var reader = await query.ExecuteReaderAsync(ct);

        var forms = new List<FormSummary>();
        while (await reader.ReadAsync(ct))
        {
            forms.Add(new FormSummary(reader.GetInt32(0), reader.GetString(1)));
        }

        return forms;
    }

    /// <inheritdoc/>
    public async Task<UserProfile?> GetProfileAsync(string email, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _sourceCalls);
        await using var connection = await OpenAsync(ct);
        await using var query = Command(connection, "SELECT display_name, locale FROM users WHERE email = $email", ("$email", email));
        await using var reader = await query.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new UserProfile(reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <inheritdoc/>
    public async Task UpdateSchemaAsync(int formId, Guid tenantId, FormSchema schema, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Interlocked.Increment(ref _sourceCalls);
        await using var connection = await OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);

        // The database assigns the revision; the one in `schema` is ignored.
        var updated = await ExecuteAsync(connection, transaction,
            "UPDATE forms SET title = $title, revision = revision + 1 WHERE form_id = $id AND tenant_id = $tenant", ct,
            ("$title", schema.Title), ("$id", formId), ("$tenant", tenantId.ToString()));
        if (updated == 0)
        {
            throw new InvalidOperationException($"Form {formId} does not exist for tenant {tenantId}.");
        }

        await ExecuteAsync(connection, transaction, "DELETE FROM fields WHERE form_id = $id", ct, ("$id", formId));
        for (var position = 0; position < schema.Fields.Count; position++)
        {
            var field = schema.Fields[position];
            await ExecuteAsync(connection, transaction,
                "INSERT INTO fields (form_id, position, name, kind, required) VALUES ($id, $pos, $name, $kind, $req)", ct,
                ("$id", formId), ("$pos", position), ("$name", field.Name), ("$kind", field.Kind), ("$req", field.Required));
        }

        await transaction.CommitAsync(ct);
    }

    /// <inheritdoc/>
    public async Task DeleteFormAsync(int formId, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _sourceCalls);
        await using var connection = await OpenAsync(ct);
        await using var delete = Command(connection, "DELETE FROM forms WHERE form_id = $id", ("$id", formId));
        await delete.ExecuteNonQueryAsync(ct); // fields go with it (ON DELETE CASCADE)
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        // Microsoft.Data.Sqlite pools connections, so one per call is cheap.
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(
        SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        command.Transaction = transaction;
        return await command.ExecuteNonQueryAsync(ct);
    }
}
