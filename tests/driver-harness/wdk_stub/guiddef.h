/* Test-only stand-in: GUID is defined in ntddk.h. */
#pragma once
