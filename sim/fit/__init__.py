"""Fitting the rules to the record up to a cut-off: targets, priors, screening, ABC-SMC,
the posterior file and its report."""
