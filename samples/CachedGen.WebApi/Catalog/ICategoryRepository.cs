namespace CachedGen.WebApi.Catalog;

/// <summary>Categories: the generic base alone. CachedGen generates <c>CachedCategoryRepository</c>.</summary>
public interface ICategoryRepository : IRepository<CategoryDto, CategorySummary, CategoryInput>
{
}
