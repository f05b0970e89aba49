<#
.SYNOPSIS
  Build, test-sign, install, start, stop and uninstall the MonitorNetwork WFP driver.

.DESCRIPTION
  Run from an elevated "Developer PowerShell for VS 2022" with the WDK installed. Test-signed drivers load only
  with test signing on (bcdedit /set testsigning on, then reboot) and Secure Boot off; use a test machine or VM.
  The driver service is "MonitorNetworkDriver" (the collector's Windows service is "MonitorNetwork").

.EXAMPLE
  .\MonitorNetworkDriver.ps1 build
  .\MonitorNetworkDriver.ps1 sign
  .\MonitorNetworkDriver.ps1 install
  .\MonitorNetworkDriver.ps1 start
  monitornetwork collect --duration 1m
  .\MonitorNetworkDriver.ps1 stop
  .\MonitorNetworkDriver.ps1 uninstall
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true, Position = 0)]
    [ValidateSet('build', 'sign', 'install', 'start', 'stop', 'uninstall', 'verifier')]
    [string] $Action,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    [ValidateSet('x64', 'ARM64')] [string] $Platform = 'x64'
)
$ErrorActionPreference = 'Stop'
$ServiceName = 'MonitorNetworkDriver'
$Root = Resolve-Path (Join-Path $PSScriptRoot '..\..')
$Project = Join-Path $Root 'driver\MonitorNetwork.Driver.vcxproj'
$OutDir = Join-Path $Root "driver\$Platform\$Configuration"
$Sys = Join-Path $OutDir 'MonitorNetwork.sys'
$Installed = Join-Path $env:SystemRoot 'System32\drivers\MonitorNetwork.sys'

function Invoke-Checked([string] $exe, [string[]] $arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe $($arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

switch ($Action) {
    'build' {
        Invoke-Checked 'msbuild' @($Project, "/p:Configuration=$Configuration", "/p:Platform=$Platform", '/m', '/nologo')
        Write-Host "built $Sys"
    }
    'sign' {
        # A self-signed code-signing certificate in the local machine store, trusted as root and publisher, for test signing only.
        $cert = Get-ChildItem Cert:\LocalMachine\My | Where-Object Subject -eq 'CN=MonitorNetwork Test Signing' | Select-Object -First 1
        if (-not $cert) {
            $cert = New-SelfSignedCertificate -Type CodeSigningCert -Subject 'CN=MonitorNetwork Test Signing' -CertStoreLocation Cert:\LocalMachine\My
            $tmp = Join-Path $env:TEMP 'MonitorNetworkTest.cer'
            Export-Certificate -Cert $cert -FilePath $tmp | Out-Null
            Import-Certificate -FilePath $tmp -CertStoreLocation Cert:\LocalMachine\Root | Out-Null
            Import-Certificate -FilePath $tmp -CertStoreLocation Cert:\LocalMachine\TrustedPublisher | Out-Null
        }
        Invoke-Checked 'signtool' @('sign', '/fd', 'sha256', '/sm', '/s', 'My', '/sha1', $cert.Thumbprint, $Sys)
        Write-Host "signed $Sys; test signing must be on: bcdedit /set testsigning on (then reboot)"
    }
    'install' {
        Copy-Item $Sys $Installed -Force
        Invoke-Checked 'sc.exe' @('create', $ServiceName, 'type=', 'kernel', 'start=', 'auto', 'depend=', 'BFE', 'binPath=', 'System32\drivers\MonitorNetwork.sys', 'DisplayName=', 'MonitorNetwork WFP driver')
    }
    'start' { Invoke-Checked 'sc.exe' @('start', $ServiceName) }
    'stop' { Invoke-Checked 'sc.exe' @('stop', $ServiceName) }
    'uninstall' {
        & sc.exe stop $ServiceName | Out-Null
        Invoke-Checked 'sc.exe' @('delete', $ServiceName)
        Remove-Item $Installed -ErrorAction SilentlyContinue
    }
    'verifier' {
        # Standard Driver Verifier checks plus low-resources simulation off; takes effect after a reboot.
        Invoke-Checked 'verifier.exe' @('/standard', '/driver', 'MonitorNetwork.sys')
        Write-Host 'Driver Verifier enabled for MonitorNetwork.sys; reboot, exercise traffic, load and unload under load. Disable with: verifier /reset'
    }
}
