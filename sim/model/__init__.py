"""One replicate of the war: Mesa agents that decide, pure kernels that compute, the schedule."""
