using System.Text;

namespace Ablations.Config;

/// <summary>The YAML spelling of a C# member: PascalCase becomes snake_case (NKvHeads -> n_kv_heads).</summary>
public static class SnakeCase
{
    public static string Of(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c))
            {
                if (i > 0) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    public static string EnumValues(Type enumType) =>
        string.Join(" | ", Enum.GetNames(enumType).Select(Of));
}
