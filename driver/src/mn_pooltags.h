/*
 * Pool tags of the MonitorNetwork driver, in one place so that poolmon and !poolused output can be read
 * against a single list. Tags read backwards in memory: 'lFnM' shows as "MnFl".
 */
#pragma once

#define MN_POOLTAG_FLOW 'lFnM' /* mn_flow contexts (lookaside list) */
