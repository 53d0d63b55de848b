namespace CachedGen.Analyzers;

/// <summary>Every diagnostic id CachedGen reports. Each has a page docs/diagnostics/{id}.md.</summary>
public static class DiagnosticIds
{
    public const string PersonalDataInKey = "CG0001";
    public const string MissingTtl = "CG0002";
    public const string InvalidTtl = "CG0003";
    public const string InvalidKeyTemplate = "CG0004";
    public const string ParameterNotInKey = "CG0005";
    public const string UnworkableInvalidation = "CG0006";
    public const string UncacheableMethod = "CG0007";
    public const string UnserializableResult = "CG0008";
    public const string PersonalDataInValue = "CG0009";
    public const string SameKeyShape = "CG0010";
    public const string MutableCachedValue = "CG0011";
    public const string UnworkableCachePut = "CG0012";
    public const string TagWithoutEntry = "CG0013";
    public const string BackReference = "CG0014";
    public const string InvalidationByString = "CG0015";
    public const string BatchParameterNotCollection = "CG0016";
    public const string BatchResultNotKeyed = "CG0017";
    public const string SeveralBatchPlaceholders = "CG0018";
    public const string BatchTwinMismatch = "CG0019";
    public const string NoCompileTimeFormatter = "CG0020";
    public const string LanguageVersionTooOld = "CG0021";
    public const string InvalidSetting = "CG0022";
    public const string VolatileKeyValue = "CG0023";
    public const string PartlyKeyedParameter = "CG0024";
    public const string LocalTtlBeyondTtl = "CG0025";
}
