"""`sim explore`: the war in the browser with Mesa's SolaraViz.

levers.py    one control per schema key, values typed as in a scenario file
replicate.py the Mesa model SolaraViz steps: one replicate, one day a step
views.py     matplotlib figures of the map, live charts and ensemble results
ensemble.py  N replicates of the explored scenario and a baseline, paired seeds
app.py       the Solara page (needs the `explore` extra); run by `sim explore`
"""
