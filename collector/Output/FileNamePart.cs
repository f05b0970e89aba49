// A name from outside (a host name, an ETW session name) used as part of a file or folder name: letters, digits,
// '-', '_' and '.' are kept and anything else becomes '_', so it cannot add a folder, climb out of one, or carry
// characters a filesystem refuses.
namespace MonitorNetwork.Collector.Output;

/// <summary>Makes names safe to use inside a file name.</summary>
public static class FileNamePart
{
    /// <summary><paramref name="name"/> with every character but letters, digits, '-', '_' and '.' replaced by '_'.</summary>
    public static string Safe(string name) =>
        new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
