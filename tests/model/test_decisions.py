"""The agents' own decisions: regional commands on their fronts, China from its interests,
the UWSA from China's pressure, and a faction's ceasefire and its terms."""

import numpy as np
import pytest

from sim.model.ceasefire import fights_on
from sim.model.events import apply_event
from sim.run.replicate import build_model
from sim.scenario.schema import Event
from sim.world.factions import faction_index


@pytest.fixture
def m23(s2023):
    return build_model(s2023, 11, 0)


def stance_event(m, stance):
    fields = dict.fromkeys(Event.__dataclass_fields__)
    return Event(**{**fields, "date": m.date, "kind": "china_stance", "stance": stance})


def command(m, code):
    return m.junta.commands[m.geo.commands.codes.index(code)]


def test_a_command_without_a_front_never_attacks_however_strong(m23):
    yangon = command(m23, "YC")
    assert not m23.balance().front[yangon.index]  # no resistance township in its area
    yangon.review(ratio=100.0, margin=1.0, front=False)
    assert not yangon.attacking
    nwc = command(m23, "NWC")
    nwc.review(ratio=100.0, margin=1.0, front=True)
    assert nwc.attacking


def test_a_command_that_loses_its_headquarters_cannot_attack_for_a_while_and_moves(m23):
    nec = command(m23, "NEC")
    lashio = m23.geo.find("Lashio")
    m23.set_holder(lashio, faction_index("MNDAA"), "assault")
    nec.review(ratio=10.0, margin=1.0, front=True)
    assert nec.disrupted and not nec.attacking
    assert nec.hq != lashio and m23.holder[nec.hq] == 0 and m23.geo.commands.of[nec.hq] == nec.index
    assert lashio in m23.geo.neighbours[nec.hq]  # the nearest junta township of its area by road
    m23.junta.update_posture()
    s = m23.situation()
    area = m23.geo.commands.of == nec.index
    assert (s.junta_capacity[area] == 0).all() and (s.junta_capacity[~area] == 1).all()
    m23.day += m23.p.model.strategy.hq_loss_days + 1  # its new headquarters held: capacity back
    nec.review(ratio=10.0, margin=1.0, front=True)
    assert not nec.disrupted and nec.attacking


def test_new_formations_go_where_the_need_is(m23):
    nwc = command(m23, "NWC")
    need = np.zeros(m23.geo.commands.n)
    need[nwc.index] = 1.0
    b = m23.balance()
    m23._balance = (m23.day, b._replace(need=need))
    before = m23.forces.n
    m23.junta.form_up(6000, 0.5)
    assert (m23.forces.node[before : m23.forces.n] == nwc.hq).all()


def test_china_acts_on_its_interests(m23):
    china, geo = m23.china, m23.geo
    china.review()
    assert china.stance == "pro_resistance" and not china.embargo  # the scam compounds stand
    m23.set_holder(geo.find("Laukkaing"), faction_index("MNDAA"), "assault")
    china.review()
    assert china.stance == "neutral" and not china.brokering
    china.fighting[:] = True  # four weeks of fighting at its gates and pipelines
    china.review()
    assert china.brokering and china.pressure() == m23.p.model.china.brokering_pressure
    m23.set_holder(geo.find("Lashio"), faction_index("MNDAA"), "assault")  # a regime command lost
    china.review()
    assert china.stance == "pro_junta" and china.embargo and china.pressure() == 1.0
    m23.uwsa.step()
    assert not m23.uwsa.supplying  # pressed to stop
    m23.set_holder(geo.find("Lashio"), 0, "assault")
    m23.day += m23.p.model.china.memory_days
    china.review()
    assert china.stance == "pro_junta"  # it keeps backing the junta for a while
    m23.day += 1
    china.review()
    assert china.stance == "neutral"


def test_a_dated_decision_overrides_chinas_own(m23):
    apply_event(m23, stance_event(m23, "pro_junta"))
    m23.china.review()
    assert m23.china.stance == "pro_junta"  # its rule would tolerate the offensive
    assert not m23.china.embargo  # the embargo it still decides


def test_a_pressed_faction_settles_hands_back_what_its_terms_say_and_holds_to_it(m23):
    geo, tnla = m23.geo, m23.by_index[faction_index("TNLA")]
    apply_event(m23, stance_event(m23, "pro_junta"))
    assert fights_on(m23.by_index[faction_index("KNU")], 0.1)  # out of China's reach: no one brokers
    lashio, hpa_an = geo.find("Lashio"), geo.find("Hpa-An")
    home = np.flatnonzero(tnla.home & (m23.holder != faction_index("TNLA")))[0]
    for town in (lashio, hpa_an, home):
        m23.set_holder(town, tnla.index, "assault")
    assert fights_on(tnla, 3.0)  # it gains more than China's pressure costs it
    tnla.settle(0.5)
    assert tnla.ceasefire
    assert m23.holder[lashio] == 0 and m23.holder[hpa_an] == 0  # a command HQ; outside its home states
    assert m23.holder[home] == tnla.index  # it keeps its home
    assert [c[4] for c in m23.recorder.changes[-2:]] == ["settlement", "settlement"]
    assert not fights_on(tnla, 100.0)  # an agreement holds for `min_days`
    m23.day += m23.p.model.ceasefire.min_days
    assert fights_on(tnla, 100.0)
