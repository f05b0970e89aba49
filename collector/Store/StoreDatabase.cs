// Opening the database: the one place that decides whether a file is a usable MonitorNetwork store,
// applies pending migrations, and turns SQLite's error codes into failures a user can act on.
using Dapper;
using Microsoft.Data.Sqlite;
using MonitorNetwork.Collector.Failures;

namespace MonitorNetwork.Collector.Store;

/// <summary>Opens MonitorNetwork databases for writing (creating and migrating) or for reading.</summary>
public static class StoreDatabase
{
    private const int SqliteReadOnly = 8, SqliteCantOpen = 14, SqliteNotADb = 26, SqliteCorrupt = 11, SqlitePerm = 3;

    /// <summary>SQLite's page cache for imports and exports, in MiB: import speed and peak RSS were measured with it.</summary>
    public const int DefaultPageCacheMiB = 16;

    /// <summary>
    /// The page cache of a live collector, in MiB: half the import's, to keep the agent's resident set under its
    /// 128 MiB target (bench soak); the live rate with it is in README, Performance.
    /// </summary>
    public const int LivePageCacheMiB = 8;

    /// <summary>
    /// Opens (creating if needed) a database for the collector: private directory and file, WAL, migrations applied.
    /// </summary>
    public static SqliteConnection OpenForWriting(string path, TimeSpan busyTimeout, int pageCacheMiB = DefaultPageCacheMiB)
    {
        var full = Path.GetFullPath(path);
        RequireFileOrNothing(full);
        try
        {
            StorePaths.EnsurePrivateDirectory(full);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new MonitorNetworkException(FailureKind.DatabaseUnwritable, $"cannot create the directory for {full}: {ex.Message}", ex);
        }
        // A dangling symlink counts as existing for File.Exists on Unix, but the store at its target is new.
        var isNew = !File.Exists(full) || (new FileInfo(full).LinkTarget is not null && File.ResolveLinkTarget(full, returnFinalTarget: true) is { Exists: false });
        // Before SQLite opens it: a file this process may not write would otherwise leave -wal and -shm behind.
        if (!isNew) CheckAccess(full, FileAccess.ReadWrite);
        // A new store is created here, private from its first byte, also through a dangling symlink (its target);
        // an existing file (an empty one adopted, a symlink's target) has its mode checked after the open.
        if (isNew) StorePaths.CreatePrivateFile(full);
        return Open(full, SqliteOpenMode.ReadWriteCreate, Math.Max(1, (int)busyTimeout.TotalSeconds), connection =>
        {
            CheckIdentity(connection, full);
            if (StorePaths.Tighten(full) is { } was)
                Notices?.Invoke($"note: {full} was readable by others (mode {was}); it is now private (0600)");
            // Before the first table exists: lets retention hand freed pages back to the file system.
            if (connection.ExecuteScalar<long>("SELECT count(*) FROM sqlite_schema") == 0) connection.Execute("PRAGMA auto_vacuum=INCREMENTAL");
            // WAL lets analysts read while the collector writes; NORMAL sync keeps every committed batch across
            // a process crash (the WAL is in the OS cache) and costs no fsync per batch.
            connection.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;");
            // Checkpoint every ~64 MiB of WAL instead of SQLite's 4 MiB: each checkpoint syncs the database file,
            // and at ingest rates the default would run several per second (measured: bench store).
            connection.Execute($"PRAGMA wal_autocheckpoint=16384; PRAGMA cache_size=-{Math.Max(1, pageCacheMiB) * 1024};");
            SetBusyTimeout(connection, busyTimeout);
            Migrate(connection);
            StorePaths.RestrictFile(full + "-wal");
            StorePaths.RestrictFile(full + "-shm");
        });
    }

    private static readonly AsyncLocal<Action<string>?> s_notices = new();

    /// <summary>Where one-line notices go (the CLI's standard error); nowhere by default.</summary>
    public static Action<string>? Notices
    {
        get => s_notices.Value;
        set => s_notices.Value = value;
    }

    /// <summary>
    /// Opens an existing database read-only (mode=ro), for queries; SQLite then refuses every write. A WAL database
    /// needs its -shm file, which a reader creates: when the directory or the WAL cannot be written (a read-only
    /// share, another user's store), it is opened immutable instead, which reads the main file as it is and skips
    /// what the WAL holds uncheckpointed, and a notice says so.
    /// </summary>
    public static SqliteConnection OpenReadOnly(string path)
    {
        var full = Path.GetFullPath(path);
        RequireFileOrNothing(full);
        if (!File.Exists(full))
            throw new MonitorNetworkException(FailureKind.NotFound,
                $"no database at {Output.DisplayText.OneLine(full)}: fill one with 'monitornetwork collect' (Windows) or 'monitornetwork import RECORDING' (try recording/demo.nettrace), or name another with --db");
        CheckAccess(full, FileAccess.Read);
        try
        {
            return OpenReadOnlyAs(full, full);
        }
        catch (MonitorNetworkException ex) when (ex.Kind == FailureKind.DatabaseUnwritable)
        {
            Notices?.Invoke($"note: {full}: its directory or WAL cannot be written here, so it is read immutable: changes still in its WAL are not seen");
            return OpenReadOnlyAs(full, "file:" + Uri.EscapeDataString(full).Replace("%2F", "/", StringComparison.Ordinal) + "?immutable=1");
        }
    }

    /// <summary>
    /// Refuses, before anything opens it, a store path that is a directory, a device, a FIFO or a socket (through a
    /// symlink too): opening a FIFO blocks forever, and SQLite would chmod a device and create a journal beside it.
    /// </summary>
    private static void RequireFileOrNothing(string full)
    {
        var kind = Output.FileKinds.Of(full);
        if (kind == Output.FileKind.Symlink)
        {
            var target = File.ResolveLinkTarget(full, returnFinalTarget: true);
            kind = target is null ? Output.FileKind.Missing : Output.FileKinds.Of(target.FullName);
        }
        if (kind is Output.FileKind.Missing or Output.FileKind.Regular) return;
        throw new MonitorNetworkException(FailureKind.NotARegularFile, kind == Output.FileKind.Directory
            ? $"--db: {full} is a directory; give the database file (for example {Path.Combine(full, "monitornetwork.db")})"
            : $"--db: {full} is {Output.FileKinds.Describe(kind)}, not a database file");
    }

    /// <summary>Access denied (exit 9) rather than SQLite's "unable to open" when the OS refuses this process the file.</summary>
    private static void CheckAccess(string full, FileAccess access)
    {
        try
        {
            using var probe = new FileStream(full, FileMode.Open, access, FileShare.ReadWrite | FileShare.Delete, 1);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw access == FileAccess.Read
                ? new MonitorNetworkException(FailureKind.AccessDenied, $"cannot read {full}: access denied (it belongs to another user; run as its owner or an administrator)", ex)
                : new MonitorNetworkException(FailureKind.DatabaseUnwritable, $"cannot write {full}: the file is read-only for this process", ex);
        }
    }

    private static SqliteConnection OpenReadOnlyAs(string full, string dataSource) =>
        Open(full, SqliteOpenMode.ReadOnly, 30, connection =>
        {
            var version = CheckIdentity(connection, full);
            if (version == 0)
                throw new MonitorNetworkException(FailureKind.NotMonitorNetworkDatabase, $"{full} has no MonitorNetwork schema yet");
            // Reading never writes, so it cannot migrate: say how to upgrade instead of failing on a missing table.
            if (version < Migrations.Latest)
                throw new MonitorNetworkException(FailureKind.DatabaseTooOld,
                    $"{full} has schema version {version} and this monitornetwork reads {Migrations.Latest}: run 'monitornetwork import' or 'collect' on it once to upgrade it");
        }, dataSource);

    /// <summary>Opens a connection and runs <paramref name="prepare"/> on it; on any failure the connection is closed
    /// and SQLite's error becomes a failure a user can act on.</summary>
    private static SqliteConnection Open(string full, SqliteOpenMode mode, int timeoutSeconds, Action<SqliteConnection> prepare, string? dataSource = null)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = dataSource ?? full,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = timeoutSeconds,
        }.ToString());
        try
        {
            connection.Open();
            prepare(connection);
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw Translate(ex, full);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Sets how long a statement waits on another connection's lock before SQLITE_BUSY reaches Polly.</summary>
    public static void SetBusyTimeout(SqliteConnection connection, TimeSpan timeout) =>
        connection.Execute($"PRAGMA busy_timeout={(int)timeout.TotalMilliseconds}");

    /// <summary>Checks the file is an empty database or one of ours no newer than this build; returns its version.</summary>
    private static int CheckIdentity(SqliteConnection connection, string path)
    {
        // One statement, so one snapshot: read separately, another creator's first migration could commit between
        // the reads and show its tables with the application id still unseen (TwoCreatorsOfOneNewStore_BothSucceed
        // failed that way once in CI).
        var (version, applicationId, tables) = connection.QuerySingle<(long, long, long)>("""
            SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id),
                   (SELECT count(*) FROM sqlite_schema)
            """);
        if (applicationId != Migrations.ApplicationId && (tables > 0 || version != 0))
            throw new MonitorNetworkException(FailureKind.NotMonitorNetworkDatabase, $"{path} is a SQLite database, but not a MonitorNetwork one");
        if (version > Migrations.Latest)
            throw new MonitorNetworkException(FailureKind.DatabaseTooNew,
                $"{path} has schema version {version}, newer than this monitornetwork understands ({Migrations.Latest}); upgrade monitornetwork");
        return (int)version;
    }

    /// <summary>
    /// Applies pending migrations, each in an IMMEDIATE transaction that reads the version again inside it: when two
    /// processes create one database at once, the second waits for the first (busy timeout) and then finds nothing to
    /// do, instead of failing on "table already exists".
    /// </summary>
    private static void Migrate(SqliteConnection connection)
    {
        foreach (var migration in Migrations.All)
        {
            using var tx = connection.BeginTransaction(deferred: false);
            if (connection.ExecuteScalar<int>("PRAGMA user_version", transaction: tx) >= migration.Version) continue;
            connection.Execute(migration.Sql, transaction: tx);
            connection.Execute($"PRAGMA application_id={Migrations.ApplicationId}; PRAGMA user_version={migration.Version};", transaction: tx);
            tx.Commit();
        }
    }

    /// <summary>Maps SQLite's open-time errors to failures with one-line messages.</summary>
    internal static Exception Translate(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        SqliteNotADb or SqliteCorrupt => new MonitorNetworkException(FailureKind.NotMonitorNetworkDatabase, $"{path} is not a SQLite database (or is corrupt)", ex),
        SqliteReadOnly or SqliteCantOpen or SqlitePerm => new MonitorNetworkException(FailureKind.DatabaseUnwritable, $"cannot open {path} for writing: {ex.SqliteErrorCode switch { SqliteReadOnly => "read-only", SqliteCantOpen => "unable to open the file", _ => "permission denied" }}", ex),
        _ => ex,
    };
}
