/* Test-only stand-in: the driver's GUIDs are plain initialised constants, so nothing is needed here. */
#pragma once
