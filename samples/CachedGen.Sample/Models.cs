using System.Collections.Generic;

namespace CachedGen.Sample;

// Cached values are plain records: CachedGen serializes them with MessagePack's contractless resolver, so no
// [MessagePackObject] attributes are needed. Changing their shape (adding a property, say) changes the cache key
// on its own, so an old entry is never read back into a new type.

/// <summary>A form and its fields, as the form renderer needs it.</summary>
public sealed record FormSchema(int FormId, string Title, int Revision, IReadOnlyList<FieldDefinition> Fields);

/// <summary>One field of a form.</summary>
public sealed record FieldDefinition(string Name, string Kind, bool Required);

/// <summary>One row of the form list.</summary>
public sealed record FormSummary(int FormId, string Title);

/// <summary>What the UI shows about a user. The e-mail address used to look it up is deliberately not in here.</summary>
public sealed record UserProfile(string DisplayName, string Locale);
