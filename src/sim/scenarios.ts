/**
 * Named simulation scenarios. Sizes are chosen for the event counts the issue asks for (about 4
 * events per order: PLACED, PAID, SHIPPED, DELIVERED, plus cancellations, refunds and reviews).
 */

export interface Scenario {
  readonly name: string;
  readonly days: number;
  readonly sellers: number;
  readonly buyers: number;
  /** Mean honest orders per day before the weekly rhythm. */
  readonly ordersPerDay: number;
  /** Campaigns planted per typology (intensities cycle low, medium, high). */
  readonly campaignsPerTypology: number;
  readonly hardNegativesPerKind: number;
  /** Days of honest history before the first campaign, so baselines exist. */
  readonly warmupDays: number;
}

export const SCENARIOS = {
  tiny: { name: 'tiny', days: 8, sellers: 200, buyers: 4000, ordersPerDay: 500, campaignsPerTypology: 1, hardNegativesPerKind: 1, warmupDays: 3 },
  demo: { name: 'demo', days: 14, sellers: 600, buyers: 12_000, ordersPerDay: 1_200, campaignsPerTypology: 2, hardNegativesPerKind: 1, warmupDays: 4 },
  small: { name: 'small', days: 21, sellers: 2_000, buyers: 40_000, ordersPerDay: 2_200, campaignsPerTypology: 4, hardNegativesPerKind: 2, warmupDays: 5 },
  medium: { name: 'medium', days: 35, sellers: 8_000, buyers: 200_000, ordersPerDay: 13_000, campaignsPerTypology: 10, hardNegativesPerKind: 5, warmupDays: 7 },
  large: { name: 'large', days: 56, sellers: 20_000, buyers: 600_000, ordersPerDay: 42_000, campaignsPerTypology: 20, hardNegativesPerKind: 10, warmupDays: 7 },
} as const satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

/** Simulated time starts on a Monday, 2026-01-05 00:00 UTC, whatever the seed. */
export const SIM_EPOCH = Date.UTC(2026, 0, 5);
