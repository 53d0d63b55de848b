using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code.
/// Closes a generated generic decorator over the type arguments of a closed registration of its interface
/// (<c>CachedRepository&lt;Order&gt;</c> for <c>IRepository&lt;Order&gt;</c>). The generated method that does it names the
/// decorator with <c>typeof</c>, so the trimmer sees which constructors to keep, and carries
/// <c>[RequiresDynamicCode]</c>: an application published with Native AOT is told at build time.
/// </summary>
/// <param name="typeArguments">The closed service type's arguments, in order.</param>
/// <returns>The closed decorator type.</returns>
[EditorBrowsable(EditorBrowsableState.Never)]
[return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)]
public delegate Type GenericDecoratorCloser(Type[] typeArguments);
