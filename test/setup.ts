// Global vitest setup: nothing global yet beyond what individual suites import explicitly.
export {};
