namespace CachedGen.SourceGenerator.Tests;

/// <summary>Input programs shared by the generator tests.</summary>
internal static class Sources
{
    public const string FormRepository = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using CachedGen;

        namespace Forms;

        public sealed record FieldDefinition(string Name, string Kind, bool Required);
        public sealed record FormSchema(int FormId, string Title, int Revision, IReadOnlyList<FieldDefinition> Fields);
        public sealed record FormSummary(int FormId, string Title);
        public sealed record UserProfile(string DisplayName, string Locale);
        public enum FormStatus { Draft, Published }
        public sealed class FormQuery { public Guid TenantId { get; set; } public FormStatus Status { get; set; } public string? Search { get; set; } }

        public interface IFormRepository
        {
            [Cached("1h", "form:{formId}:schema", nameof(UpdateSchemaAsync), nameof(DeleteFormAsync))]
            Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default);

            [Cached("5m", "tenant:{tenantId}:forms:page:{page}")]
            ValueTask<IReadOnlyList<FormSummary>> ListFormsAsync(Guid tenantId, int page, CancellationToken ct = default);

            [Cached("30m", "user:{email:hash}:profile", Sensitive = true)]
            Task<UserProfile?> GetProfileAsync([PersonalData] string email, CancellationToken ct = default);

            [Cached("1m", "tenant:{query.TenantId}:status:{query.Status}:q:{query.Search}")]
            ValueTask<int> CountAsync(FormQuery query, CancellationToken ct = default);

            [Cached("10s")]
            string Describe(int formId, FormStatus? status);

            Task UpdateSchemaAsync(int formId, Guid tenantId, FormSchema schema, CancellationToken ct = default);
            Task DeleteFormAsync(int formId, CancellationToken ct = default);
            int Version { get; }
            event EventHandler? Changed;
        }
        """;
}
