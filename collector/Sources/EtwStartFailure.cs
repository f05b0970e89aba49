// What Windows' refusal to start a session or enable a provider means, in one line and an exit code. TraceEvent
// turns StartTrace's and EnableTraceEx2's Win32 errors into exceptions with Marshal.ThrowExceptionForHR, so the
// HRESULT, not the exception type, is what says which refusal it was. Enabling a provider nobody has registered is
// not an error in ETW (the provider may register later), so a missing driver shows up as silence, which the auto
// source's driver probe and the DriverMissing health row cover instead.
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Sources;

/// <summary>Classifies the exceptions a failed session start or provider enable throws.</summary>
public static class EtwStartFailure
{
    /// <summary>HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED).</summary>
    public const int AccessDenied = unchecked((int)0x80070005);
    /// <summary>HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS): a session of the name appeared between the check and the start.</summary>
    public const int AlreadyExists = unchecked((int)0x800700B7);
    /// <summary>HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES): the system's sessions are all in use.</summary>
    public const int NoSystemResources = unchecked((int)0x800705AA);
    /// <summary>HRESULT_FROM_WIN32(ERROR_BAD_LENGTH), StartTrace's answer to a session name too long.</summary>
    public const int BadLength = unchecked((int)0x80070018);

    /// <summary>The one-line failure for <paramref name="ex"/>, raised while starting <paramref name="sessionName"/>.</summary>
    public static MonitorNetworkException Classify(Exception ex, string sessionName) => ex.HResult switch
    {
        AccessDenied => new(FailureKind.AccessDenied, EtwRealTimeSource.AccessDeniedMessage, ex),
        AlreadyExists => new(FailureKind.SessionBusy,
            $"another collect started session {sessionName} at the same moment; stop it first, or use --force", ex),
        NoSystemResources => new(FailureKind.EtwNoResources,
            "Windows has no room for another ETW session (at most 64 run at once): 'logman query -ets' lists them; stop one", ex),
        BadLength => new(FailureKind.Usage, $"session name too long for ETW: {Output.DisplayText.OneLine(sessionName)}", ex),
        _ => new(FailureKind.Unexpected, $"starting the ETW session failed (0x{ex.HResult:X8}): {Output.DisplayText.OneLine(ex.Message)}", ex),
    };
}
