"""Story plan 0.2.0 as data: the economy, every decision scene, its options and the flag contract.

This file is the single source of the numbers in docs/story-plan-0.2.md. `check.py` plays it with
the planned mechanics (capacity, conditional effects, play-dependent event odds, saturation and drift,
portfolio scenes, endings that read the whole game) and the audit's test-wise learners.
Writers copy numbers from here into YAML; text is theirs to write.
"""
import re

# ------------------------------------------------------------------ learning point aliases
EV = {
    "ci": "change.impact", "cm": "change.vocr-meeting", "cb": "change.business-case",
    "pi": "priority.business-impact", "pe": "priority.everyone-understands",
    "pd": "priority.decision-rights", "pf": "priority.information-flow",
    "rc": "problem.root-cause", "pb": "problem.business-case", "pg": "problem.integration",
    "pt": "problem.business-terms",
    "bi": "comm.business-informs", "po": "comm.portfolio", "ei": "comm.early-involvement",
    "ba": "comm.balance", "ia": "comm.innovation-agenda",
    "lt": "leadership.trust", "lv": "leadership.vocr", "lk": "leadership.everyone-knows-value",
    "ld": "leadership.decision-processes",
    "ri": "relationship.invest", "ru": "relationship.understand-first", "rg": "relationship.go-see",
    "vs": "e2e.value-stream", "cv": "e2e.customer-view", "fg": "e2e.fix-for-good",
}
KP = {"r": "revenue", "c": "cost", "u": "customers", "s": "stability", "t": "trust"}

# ------------------------------------------------------------------ the economy
KPIS = {
    #            start  min  max  drift/month  saturation knee (gains shrink above it)
    "revenue":   dict(start=89, min=60, max=120, drift=0, knee=None,
                      name="Sales vs plan", unit="% of plan"),
    "cost":      dict(start=106, min=70, max=140, drift=0, knee=None,
                      name="IT cost vs budget", unit="% of budget", worse=True),
    "customers": dict(start=180, min=100, max=260, drift=-1, knee=None,
                      name="Customers", unit="k/month"),
    "stability": dict(start=70, min=0, max=100, drift=-2, knee=75,
                      name="Service stability", unit="%"),
    "trust":     dict(start=40, min=0, max=100, drift=-1, knee=55,
                      name="Business trust", unit="%"),
}

ENDINGS = [  # checked in order; the last has no condition
    ("converged", "score >= 75 and trust >= 60 and revenue >= 95 and customers >= 182 "
                  "and stability >= 65 and cost <= 105"),
    ("assimilated", "assimilation >= 65 and stability >= 60 and trust >= 20"),
    ("aligned", "score >= 55 and trust >= 45 and revenue >= 92 and stability >= 55 and cost <= 110"),
    ("on-notice", "score >= 35 and trust >= 32 and revenue >= 88 and stability >= 50 and cost <= 114"),  # writer C: score >= 35
    ("outsourced", None),
]


def fmt(e):
    names = {"revenue": "rev", "cost": "cost", "customers": "cust", "stability": "stab", "trust": "trust"}
    return ", ".join(f"{names[k]} {v:+d}" for k, v in e.items())


def eff(s):
    out = {}
    for k, v in re.findall(r"([rcust])([+-]\d+)", s or ""):
        out[KP[k]] = out.get(KP[k], 0) + int(v)
    return out


def evid(s):
    out = {}
    for k, v in re.findall(r"([a-z]{2})([+-]?\d+)", s or ""):
        out[EV[k]] = int(v)
    return out


def O(id, what, why, e="", ev="", w="", cap=0, set="", clear="", cond=(), when=None, mark=""):
    """One option. mark: L = written longest in its scene, V = most 'virtuous' wording."""
    return dict(id=id, what=what, why=why, eff=eff(e), ev=evid(ev), worst=w.split(), cap=cap,
                set=set.split(), clear=clear.split(), cond=[(c, eff(x)) for c, x in cond],
                when=when, mark=mark)


def S(id, title, dilemma, options, kind="choice", k=None, when=None, bite=(), who="", kplus=None):
    """A decision scene. bite: bills/rewards applied when the scene is played (conditional)."""
    return dict(id=id, title=title, dilemma=dilemma, options=options, kind=kind, k=k, when=when,
                bite=[(c, eff(x), why) for c, x, why in bite], who=who, kplus=kplus)


def E(id, title, dilemma, options, weight="1", when=None, bite=()):
    """A pool event. weight: list of (condition, weight) tried in order, or a number."""
    return dict(id=id, title=title, dilemma=dilemma, options=options, kind="choice", k=None,
                when=when, weight=weight, bite=[(c, eff(x), why) for c, x, why in bite])


ROUNDS = []


def R(n, title, capacity, cap_mods, scenes, pool, draws, intro, reflections):
    ROUNDS.append(dict(n=n, title=title, capacity=capacity, cap_mods=cap_mods, scenes=scenes,
                       pool=pool, draws=draws, intro=intro, reflections=reflections))


# ================================================================== MONTH 1
R(1, "Month 1: The new CIO", 10, [], [
    S("r1.arrival", "Two empty weeks",
      "Your calendar is empty for two weeks and the board is watching. Julian offers a maturity "
      "assessment; Helena wants IT to stop being the reason things go wrong.", [
        O("go-see", "Work a shift in three stores and ride an evening with a driver in the hill villages.",
          "You see the service where it is used; no numbers move for a while.",
          "t+1", "rg2 ru1 lt1", cap=2, set="rode_with_driver"),
        O("directors", "An hour with each director: their plans, their busy weeks, what an IT failure costs them.",
          "Learn the cycles and the cost of outages from their owners.",
          "t+2", "ru2 bi1", cap=1, mark="V"),
        O("assessment", "Hire Julian for a six-week maturity assessment: a baseline and a roadmap the board can read.",
          "A baseline before you change anything is textbook; Ravi loves a plan with dates.",
          "t+3 s+1 c+3", "ru-2 lk-1", w="W3 W4", cap=1, set="consultant_hired process_heavy", mark="L"),
        O("exec-wins", "Fix what the directors complain about first: new laptops, head-office Wi-Fi, the board's reports.",
          "Early credibility with the people who judge you, in two weeks.",
          "t+4 c+2", "pi-2 rg-1", w="W1", cap=1, set="exec_quick_win"),
    ], who="Helena (CEO), Julian (consultant), Lars (driver, named in the option)"),
    S("r1.budget", "Fifteen percent",
      "Ravi wants fifteen percent off every department's cost; Sofia wants the ordering site to take "
      "twice the orders by spring, with no budget.", [
        O("cut-evenly", "Cut fifteen percent from every IT budget line, the ordering platform included. Finance has its number today.",
          "Fair, fast, and finance trusts a CIO who cuts without arguing.",
          "c-6 s-2 t+3", "pi-2 cb-1", w="W1", set="cut_deep"),
        O("portfolio", "Build a service portfolio with Ravi: what each service costs, earns, and what its failure costs. Cut from that next month.",
          "Cuts argued in value and risk; finance waits a month.",
          "t+1", "po2 lv2", cap=2, set="service_portfolio"),
        O("retire-shift", "Retire two old systems and move the money into online ordering, with a case Sofia and Ravi both sign.",
          "Money follows the turnaround; old systems may do things nobody wrote down.",
          "c-3 r+1 s-1", "cb2 pi1", cap=2, set="retired_legacy", mark="L"),
        O("defend", "Refuse the cut and present the team's infrastructure renewal plan, with a request for ten percent more.",
          "The platform is old; a CIO who protects reliability is doing the job.",
          "c+4 s+3 t-2", "lv-2 ru-1", w="W2", set="infra_renewal", mark="V"),
    ], who="Ravi (finance), Sofia (marketing)"),
    S("r1.priorities", "Fourteen number ones",
      "Sofia brings fourteen requests, all priority one; Tomasz adds the tablets that crash twice a week. "
      "The team can do three well this month.", [
        O("accept-all", "Accept all fourteen as priority one and start them in parallel. The new IT says yes.",
          "Yes builds goodwill with a business that has heard no for years.",
          "t+4 r+1 s-2", "pi-2 pd-1", w="W5 W1", cap=2, set="everything_p1", mark="V"),
        O("effort-rank", "Rank the list inside IT by effort, quick wins first, and send Sofia and Tomasz the order.",
          "Quick wins ship this month and show momentum.",
          "r+2 t-1", "pd-2 ba-1", w="W2", cap=2, set="it_decides"),
        O("rank-together", "Take an hour with Sofia, Tomasz and Helena: rank by revenue and by the payday dates, and agree who decides.",
          "Rank by business impact with the owners; someone leaves disappointed.",
          "r+1 t+2", "pi2 pd2", cap=2, set="priorities_agreed"),
        O("change-meeting", "Start a monthly change meeting where directors and IT weigh every request by value, outcomes, costs and risks. The list waits for it.",
          "The lasting structure; this month's list waits and Sofia loses patience.",
          "t-1 s+1", "cm2 po1 pi-1", cap=1, set="change_meeting", mark="L"),
    ], who="Tomasz (operations)"),
    S("r1.cab", "Sixty-three changes",
      "Oskar's change board has sixty-three requests, most incomplete. One is Sofia's tracking "
      "update, wanted live for payday Friday; the code is ready, the rollback plan is not.", [
        O("by-the-book", "Back Oskar: every incomplete request goes back, the tracking update too. Same rules for everyone.",
          "Consistent rules are what a change board is for.",
          "s+2 t-1 r-1", "ci-1 ld-1", w="W4", set="marketing_burned"),
        O("impact-case", "Ask every request for one page: business impact, case and risk. Oskar ranks them with a business representative.",
          "Changes judged by value and impact; the tracking update misses payday.",
          "s+1 r-1", "ci2 cb2 pf1 cm1", cap=2, set="impact_cases", mark="L"),
        O("fast-lane", "Let the tracking update through with a tested off-switch, and put the other sixty-two through Oskar as usual.",
          "The change that matters to payday goes, with a way back; the rest waits.",
          "r+1 t+1", "ci1 pe2", cap=1, set="tracking_switch"),
        O("wave-through", "Approve the tracking update today without the rollback plan. Payday Friday is the month's biggest evening.",
          "Speed where the business needs it; marketing will remember who helped.",
          "r+2 t+2 s-2", "ci-2 pe-1", w="W1", set="rushed_tracking tech_debt", mark="V"),
    ], who="Oskar (change manager)"),
    S("r1.friday", "Payday Friday, 19:40",
      "The ordering site freezes on the busiest evening of the month: marketing sent a discount to every "
      "app user without telling IT. Mei can restart in ten minutes; Priya says it is the third such Friday.", [
        O("restart", "Let Mei restart the database and close the incident within the service level. Review on Monday.",
          "Restore fast; the service level is met.",
          "r-1 s+1", "rc-2 fg-2", w="W1", set="firefighting"),
        O("blame", "Restart, then ask Helena to ban push messages that IT has not approved. The cause was marketing's.",
          "A rule stops the next surprise; the facts are on IT's side.",
          "r-1 s+2 t-1", "ba-2 lt-1 bi1", w="W6", set="marketing_burned push_ban"),
        O("root-cause", "Restart, then give Priya the problem with monitoring and change. Tell Tomasz tonight what it cost in orders.",
          "Remove the cause, in the business's terms; engineers leave new work for a while.",
          "r-2 t+1", "rc2 pg2 pt1", cap=2, set="root_cause_hunt", mark="L"),
        O("go-store", "Drive to Harbour Street and watch from behind the counter with Dana. Call Sofia from there about the push messages.",
          "See the outage as customers do, and fix the information flow with marketing.",
          "r-2 t+2 u+1", "cv2 rg1 bi1", cap=1, set="shared_calendar", mark="V"),
    ], bite=[("flag.rushed_tracking", "r-2 t-2 u-2",
              "the rushed tracking update shows every driver at Harbour Street"),
             ("flag.tracking_switch", "r+1", "the tracking update works on payday; Sofia notices"),
             ("flag.exec_quick_win", "t-1", "Dana: head office got laptops, the tablets still crash")],
      who="Mei (service desk), Priya (problem manager), Dana (Harbour Street), Elif Demir (customer, in Dana's line)"),
    S("r1.ci", "Improvement of the month",
      "The team can take on one improvement. Each pays later, none pays this month.", [
        O("ci-calendar", "A business-cycle calendar on every team's wall: paydays, campaigns, the Cup Final. Marketing adds its dates.",
          "Everyone knows when an outage costs most.",
          "t+1", "pe2 bi1", cap=1, set="cycle_calendar"),
        O("ci-problem-team", "A problem team: Priya and two engineers, two days a week on causes, not tickets.",
          "Fewer fires later; fewer features now.",
          "c+1", "rc2 pg1", cap=2, set="problem_team", mark="L"),
        O("ci-dashboard", "A service dashboard for the board: uptime, tickets closed, service levels met, all in one green page.",
          "Transparency; Ravi finally sees numbers from IT.",
          "t+2 c+1", "lv-1 pt-1 cv-1", w="W3", cap=1, set="sla_dashboard", mark="V"),
        O("ci-none", "No new improvement this month: the team finishes what it already started.",
          "Honest about capacity: promise only what the team can finish.", "s+1", "lt1"),
    ]),
], pool=[
    E("ev1.cup-date", "A date for the calendar",
      "Sofia forwards her Cup Final plan, five months away: 'probably nothing for IT'.", [
        O("calendar", "Put the date on the change calendar, the desk rota and the capacity plan.",
          "One date protects the year's biggest night.", "s+1 t+1", "pe2 pf1", set="cycle_calendar"),
        O("ask-more", "Call her back: what else is planned this year? Offer a short planning talk every quarter.",
          "The business tells IT in time once it knows what IT needs.", "t+2 c+1", "bi2 ei1", set="campaign_calendar", mark="V L"),
        O("portal", "Reply that planning information comes through the IT demand portal, so it is processed properly.",
          "One front door keeps information in one place.", "s+1 t+1", "ba-2 ri-1", w="W4", set="marketing_burned"),
    ], weight=[("flag.cycle_calendar", 0), ("true", 2)]),
    E("ev1.sensors", "Smart ovens",
      "Operations bought oven sensors that 'only need the store Wi-Fi'; you hear of it from a password call.", [
        O("block", "Block the sensors from the network: unknown devices are a risk, and Tomasz should have asked.",
          "Security first.", "s+2 t-1", "ba-2 ei-1", w="W6", set="marketing_burned"),
        O("ask-why", "Visit Tomasz: what are they for? Plan a separate store network with him.",
          "Understand first; manage the risk together.", "c+1 t+1", "ei2 ru1 ci1", cap=1, mark="L V"),
        O("connect", "Give the stores the Wi-Fi password. Operations is happy, and the sensors are small.",
          "Helpful and fast.", "t+2 s-1", "ci-2 ri1", w="W1", set="tech_debt"),
    ], weight=[("flag.it_decides", 3), ("true", 1)]),
    E("ev1.ticket-record", "A record month",
      "Mei's desk closed a record thousand tickets; 310 are the same tablet freezing at peak.", [
        O("celebrate", "Celebrate the record: cake for the desk and a chart in the newsletter.",
          "The team earned it.", "s+1 t+1", "rc-2 lk-1", w="W4", set="firefighting", mark="V"),
        O("top-causes", "Ask Priya for the top three causes and a case for Tomasz: lost orders, staff time, cost of a fix.",
          "Remove causes, argued in VOCR.", "s+1", "rc2 pb2", cap=1, mark="L"),
        O("restart-script", "Give the desk a standard restart script and a five-minute target for tablet tickets.",
          "Faster recovery tonight, nearly free.", "s+2 c-1", "fg-2 vs-1 cv1", w="W3", set="firefighting"),
    ]),
    E("ev1.julian", "Twenty-six process owners",
      "Julian's findings: twenty-six processes, each with an owner and a handbook.", [
        O("approve", "Approve the plan: every process gets an owner and a handbook by next month.",
          "Best practice, fully covered.", "s+1 t+1 c+2", "ld-2 vs-2", w="W4", set="process_silos", mark="L"),
        O("chain-only", "Keep only what makes incident, problem and change one chain from the store's call to the fix.",
          "Few linked processes beat many perfect ones.", "c-1 s+1", "vs2 pg1", mark="V"),
        O("end-contract", "End the contract and put the money into the ordering site.",
          "Money follows impact.", "c-2 r+1", "pi1 ld-1"),
    ], when="flag.consultant_hired", weight=[("true", 3)]),
    E("ev1.quote", "A quote from outside",
      "Ravi forwards an outsourcer's quote for all of IT, 'just so you know'.", [
        O("cheaper", "Answer with a cheaper plan: cut staff and tools until IT costs less than the quote.",
          "Compete where finance is looking.", "c-4 s-2 t+1", "lv-2 pi-1", w="W2", set="cut_deep"),
        O("compare", "Ask Ravi for an hour to compare the quote with what IT delivers and risks for the turnaround.",
          "Speak in value and risk; accept where they are better.", "t+1", "lv2 po1", mark="V L"),
        O("ignore", "Ignore it. Outsourcers promise more than they deliver, and Ravi knows it.",
          "Do not dignify it.", "t-1", "lt-2 ri-1", w="W6", set="quote_ignored"),
    ], when="trust < 38 or flag.cut_deep", weight=[("true", 2)]),
], draws=2,
  intro="First month; paydays are the busiest evenings; the Cup Final five months away.",
  reflections=[("flag.firefighting", "restarted, not removed"), ("flag.marketing_burned", "them and us"),
               ("true", "default")])

# ================================================================== MONTH 2
R(2, "Month 2: Going online", 10,
  [("flag.everything_p1", -2, "fourteen half-finished projects"),
   ("flag.process_heavy", -1, "forms and handbooks take a week"),
   ("flag.firefighting", -1, "the Friday freeze comes back as unplanned work")], [
    S("r2.app", "Four weeks to launch",
      "Sofia has booked bus adverts for a new ordering app with live tracking in four weeks. "
      "Four weeks buys a good app or a fast one.", [
        O("promise-date", "Promise the date: the team works weekends, testing follows launch, stores learn as they go.",
          "The campaign is booked; a CIO who delivers on the business's date earns a seat.",
          "r+3 t+3 s-3", "ci-2 lt-1", w="W1", cap=3, set="tech_debt", mark="V"),
        O("pilot", "Plan it with Sofia and Dana: ordering in three pilot stores on the date, tracking two weeks later.",
          "A small launch that works beats a big one that fails; less on launch day.",
          "r+1 t+2", "ei2 lt2 bi1", cap=3, set="campaign_calendar"),
        O("spec-first", "Ask marketing for a full requirements document through the demand process; give a date once it is approved.",
          "No date without a specification is how projects stay on budget.",
          "s+1 t-2", "ba-2 ru-1", w="W2", cap=1, set="marketing_burned", mark="L"),
        O("agency", "Let Sofia's advertising agency build the app; IT hosts it and stays out of marketing's way.",
          "Fastest route to market; IT keeps its people for the stores.",
          "r+2 t+2 c+1", "pi1 ei-1 ba-1", w="W6", cap=1, set="agency_app"),
    ], bite=[("flag.priorities_agreed", "r+1", "the agreed payday items shipped"),
             ("flag.impact_cases", "s+1", "one-page impact notes catch a bad change in week one"),
             ("flag.everything_p1", "s-2 t-1", "fourteen half-finished projects; two break in the stores")]),
    S("r2.idea", "Kofi's idea",
      "Kofi, the lead developer, has seen in the order data that most customers order the same thing "
      "every Friday. Nobody asked IT for anything; the backlog is full.", [
        O("pitch", "Bring the idea to Sofia as a case with a two-store test: 'your usual, in two taps'. She owns the campaign.",
          "IT sets part of the innovation agenda, with the business.",
          "t+1", "ia2 cb1", cap=2, set="it_proposal"),
        O("build-quietly", "Let Kofi build it in the evenings and switch it on for payday as a surprise.",
          "Show, don't tell; a working feature is the best argument.",
          "r+2 t-1 s-1", "ia1 ei-1 ba-1", w="W2", cap=1, set="tech_debt surprise_feature", mark="V"),
        O("backlog", "Thank Kofi and put it on the backlog. IT delivers what the business asks for, and the list is full.",
          "Focus on what was promised.",
          "s+1", "ia-2", w="", mark="L"),
        O("hack-day", "Hold a hack day with Dana's staff and two drivers, and build the best three ideas.",
          "Everyone in IT sees how their work adds value.",
          "t+1", "lk2 ru1 ia1", cap=2, set="hack_day"),
    ], who="Kofi (lead developer) introduced here"),
    S("r2.pricing", "New prices by Friday",
      "The campaign's new menu needs a supplier patch to the pricing engine that feeds tills, app and "
      "site. Sofia wants it live by payday noon; the impact field is empty.", [
        O("push", "Push it on Thursday night. Prices are data, the supplier tested it, and Sofia gets her date.",
          "Small, supplier-tested, wanted by the business.",
          "r+2 t+2", "ci-2 pe-1", w="W1", set="pricing_unassessed tech_debt"),
        O("assess", "Test it with Dana on two Harbour Street tills on Tuesday; live Wednesday with a way back; tell every store.",
          "Assess where the change lands; two days late.",
          "r-1 s+1", "ci2 pf1 cv1", cap=2, mark="L"),
        O("reject", "Reject it: no impact assessment, no rollback plan. Sofia can resubmit in two weeks like everyone else.",
          "Rules protect the stores.",
          "s+2 t-2 r-2", "ba-1 ci-1", w="W4", set="marketing_burned"),
        O("ask-case", "Ask Sofia for the case first: what the prices should earn and what one broken payday would cost.",
          "Make the business weigh the risk; the patch still goes untested.",
          "t-1 r-1", "cb2 pt1", cap=1, set="pricing_unassessed", mark="V"),
    ]),
    S("r2.hills", "The hills",
      "The new app reaches the six hill stores next week. Lars writes: up there it needs a signal it "
      "will not get. The hill stores take one order in eight.", [
        O("lab-test", "Test it in the lab with a simulated weak signal; if it passes, it ships to the hills.",
          "Quick, cheap, measurable.",
          "t+1", "rg-2 cv-1", w="W3", cap=1, set="hills_lab"),
        O("park", "Park the hills until the city launch is safe; hill stores phone their customers meanwhile.",
          "Seven orders in eight come first.",
          "r+1 u-1", "pi1 ri-1"),
        O("ride-along", "Send the app developer out with Lars for two evenings, then build an offline mode before it ships.",
          "Go and see; fix it for every rural store; two weeks the city wants too.",
          "c+1 u+2", "rg2 fg2 cv1", cap=3, set="offline_mode", cond=[("flag.rode_with_driver", "u+1")], mark="L"),
        O("not-ours", "Tell Lars the app is built for the network the company pays for; coverage is the phone company's job.",
          "True, and outside IT's control.",
          "s+1 t-1 u-2", "ru-2 cv-2", w="W6", set="hills_ignored", mark="V"),
    ], bite=[("flag.drivers_paid_late", "t-1 u-1", "two hill drivers quit over late pay; Tomasz is short of drivers")],
      who="Lars (met only in r1.arrival's option text otherwise: introduce him here by role)"),
    S("r2.ci", "Improvement of the month",
      "One improvement again; last month's pick shows here in text.", [
        O("ci-monitoring", "Monitor the order flow: orders per store per minute, an alert when it drops.",
          "Detect from the customer's side before stores call.",
          "c+1", "cv2 pg1", cap=2, set="order_monitoring"),
        O("ci-brm", "A relationship routine: one IT partner per director, a store visit each month.",
          "Relationship as a work style.",
          "t+2", "ri2 bi1", cap=1, set="brm_routine", mark="V"),
        O("ci-desk-targets", "Desk targets: tickets per agent per hour and calls under four minutes, comparable with any outsourcer.",
          "Finance can compare; the desk gets faster.",
          "t+2 s+1 c-1", "cv-2 lk-1", w="W4", set="desk_targets"),
        O("ci-none", "No new improvement this month: the team finishes what it already started.",
          "Honest about capacity: promise only what the team can finish.", "s+1", "lt1"),
    ]),
], pool=[
    E("ev2.freeze-again", "The freeze is back",
      "Payday Friday, twenty past seven: the order database freezes again, the same way.", [
        O("restart-again", "Restart it again; it worked last time and takes ten minutes.",
          "Proven recovery.", "r-1 s+1", "rc-2", w="W1", set="firefighting"),
        O("give-priya", "Restart, and give Priya two engineers until the cause is gone.",
          "Remove the cause now.", "r-2 c+1", "rc2 pg1", cap=2, set="root_cause_hunt", mark="L"),
        O("bigger-db", "Order a bigger database server tonight; capacity ends freezes.",
          "Hardware is cheaper than engineers.", "r-1 c+3 s+2", "rc-1 cb-1 pi1", w="W3", set="firefighting", mark="V"),
    ], when="not flag.root_cause_hunt",
      weight=[("flag.firefighting or flag.cut_deep", 4), ("true", 1)],
      bite=[("true", "r-1 u-1", "the freeze costs a payday evening")]),
    E("ev2.shadow-app", "The agency's loyalty app",
      "Sofia's agency has built a loyalty web app and wants a database connection tomorrow.", [
        O("join", "Join them: connect it through a test copy first, with one of your developers in their team.",
          "Early involvement, late as it is.", "t+1", "ei2 ba1", cap=1, mark="L"),
        O("forbid", "Refuse: no outside code touches customer data.", "Data protection is not negotiable.",
          "s+1 t-2", "ba-2 ei-1", w="W6", set="marketing_burned"),
        O("allow", "Connect it tomorrow; marketing knows its customers.", "Helpful.",
          "r+1 t+1 s-2", "ci-2 ri1", w="W1", set="tech_debt", mark="V"),
    ], weight=[("flag.marketing_burned or flag.agency_app", 4), ("flag.brm_routine", 0), ("true", 1)]),
    E("ev2.cloud-bill", "The hosting bill",
      "The hosting bill doubled with the app. Ravi asks why.", [
        O("night-off", "Switch half the servers off after ten at night.", "Quick saving.",
          "c-2 s-2", "pi-1 pe-2", w="W1", set="cut_deep"),
        O("usage", "Send Ravi the usage report: CPU, storage, traffic by service.", "Full transparency.",
          "t+1", "pt-1 lv-1", w="W3", set="usage_report", mark="L"),
        O("per-order", "Show him cost per order: the bill grew slower than online orders.", "VOCR.",
          "t+1", "lv2 pt1", mark="V"),
    ]),
    E("ev2.legacy", "The report nobody wrote down",
      "One of the retired systems sent the drivers' weekly pay file. This week, nothing arrived.", [
        O("restore", "Switch the old system back on for good.", "Safe.", "c+2 t+1", "cb-1 lt1"),
        O("fix-and-learn", "Pay by hand this week, rebuild the export in the new platform, add it to the change checklist.",
          "Fix for good; learn.", "t+1 c+1", "fg2 ci1", cap=1, mark="L V"),
        O("pay-late", "Tell the drivers their pay comes next week, once the export is rebuilt and tested.",
          "No rushed fix on payroll.", "s+1 t-1", "lt-2 cv-1", w="W1", set="drivers_paid_late"),
    ], when="flag.retired_legacy", weight=[("true", 3)]),
    E("ev2.login", "One password for the whole store",
      "Stores share one till password taped under the counter.", [
        O("enforce", "Personal logins from Monday, no exceptions.", "Security by the book.",
          "s+1 t-1", "ru-2 ci1", w="W2", set="logins_forced"),
        O("watch-first", "Spend a Friday rush watching how the tills are used, then design logins with Dana.",
          "Understand first.", "t+1", "ru2 rg1", cap=1, mark="L V"),
        O("stores-decide", "Let each store manager decide.", "Local ownership.", "t+1 s-1", "ci-1"),
    ]),
], draws=2, intro="", reflections=[])

# ================================================================== MONTH 3
R(3, "Month 3: Everything is top priority", 9,
  [("flag.process_heavy", -1, "process overhead"), ("flag.firefighting", -1, "unplanned work"),
   ("flag.agency_app", -1, "integrating the agency's app"), ("flag.problem_team", 1, "fewer fires")], [
    S("r3.portfolio", "Eight requests, room for three",
      "Eight requests, three directors, each says theirs is first. Capacity for about three. "
      "Pick up to three (portfolio scene).", [
        O("loyalty", "Sofia's loyalty points, all forty stores at once on the 15th.", "Biggest campaign of the quarter.",
          "r+2 u+2 t+1 s-2", "ci-1", w="W1", cap=3, set="loyalty_bigbang"),
        O("tablets", "The cause of the tablet freezes (Priya and Tomasz).", "Remove a weekly cost.",
          "s+3", "rc2", cap=2, set="tablets_fixed"),
        O("dispatch", "A dispatch screen for Tomasz's drivers.", "Faster doors.",
          "u+1 s+1", "cv1", cap=2),
        O("payment", "Ravi's cheaper payment provider.", "Saves money every order.",
          "c-2 s-1", "ci-1", cap=2, set="payment_switched"),
        O("menu-screens", "New menu screens in the stores.", "Sofia's visible win.",
          "r+1 t+1", "", cap=1),
        O("chatbot", "An ordering chatbot Sofia's nephew recommended.", "Looks modern.",
          "t+1", "pi-1", w="W5", cap=1, set="chatbot"),
        O("cup-capacity", "Load capacity for the Cup Final ordering peak.", "Protect the year's biggest night.",
          "s+1", "pe2", cap=2, set="cup_capacity"),
        O("change-tool", "Oskar's change-tool upgrade.", "Tidier changes.",
          "s+1", "ld-1", w="W3", cap=1, set="process_heavy"),
    ], kind="portfolio", k=3,
      bite=[("chose(r2.app.pilot)", "r+2 u+3", "the pilot app works and goes city-wide"),
            ("chose(r2.app.promise-date)", "s-2 u-2", "launch bugs and one-star reviews"),
            ("chose(r2.app.agency)", "s-1", "the agency's app calls the order database ten times per order"),
            ("chose(r2.app.spec-first)", "r-1", "the app is still a document"),
            ("flag.service_portfolio", "c-3", "the portfolio shows three services nobody uses; they go"),
            ("flag.surprise_feature", "r+1 t-1", "Kofi's surprise works; Sofia learns of it from a customer")]),
    S("r3.governance", "Who decides?",
      "Helena is tired of three directors each calling their request number one. She asks you how "
      "Grab@Pizza should decide about IT work from now on.", [
        O("it-committee", "An IT steering committee ranks all requests on technical criteria; directors get the ranking monthly.",
          "Neutral, expert, consistent.",
          "s+2", "pd-2 ba-2 cm-1", w="W2", set="it_decides"),
        O("change-meeting", "A strategic change meeting: directors and IT monthly, value, outcomes, costs and risks, Helena breaks ties.",
          "Balance the portfolio with its owners; two hours of directors' time a month.",
          "t+1", "cm2 pd2", cap=1, set="change_meeting decision_rights", mark="L"),
        O("hands-off", "Let each director decide their own IT spending; IT delivers whatever comes with a budget.",
          "The business knows its needs; IT stops being the bottleneck.",
          "t+3 r+1 c+2 s-1", "pd-1 cm-1", w="W5", set="hands_off", mark="V"),
        O("raci", "A governance framework with forty roles and a RACI chart, written by Julian.",
          "Everyone knows their role on paper.",
          "t+1 c+2", "ld-2 pf1", w="W4", set="process_heavy"),
    ]),
    S("r3.tills", "Twelve past twelve",
      "Every weekday at 12:12 the tills in twelve stores freeze for four minutes. Priya wants two people "
      "for six weeks; Ravi says no people without a business case.", [
        O("reboot", "Schedule an automatic till restart at five past twelve; the freezes stop tomorrow.",
          "Problem solved for the stores, no headcount.",
          "s+3 t+1", "rc-2 fg-2", w="W3", set="firefighting tills_rebooted"),
        O("vocr-case", "Write the case with Priya in Ravi's terms: lunch orders lost, staff minutes, the cost of two people, the risk before summer.",
          "Problem management's business case; two people cost money now.",
          "c+1 s+1 t+1", "pb2 pt2 rc1", cap=2, set="problem_team", mark="L"),
        O("borrow", "Quietly lend Priya two developers from the loyalty project for a month.",
          "The cause gets fixed without a budget fight.",
          "s+2 r-1", "rc2 fg1 pb-1 lt-1", cap=2, set="quiet_fix", mark="V"),
    ], bite=[("flag.desk_targets", "u-1", "stores stopped calling; they wait it out")]),
    S("r3.quarter", "The quarter in one page",
      "Ravi's outsourcer (Castellan) offers to run all IT for ninety percent of today's cost; the board asks "
      "Thursday what IT did for the turnaround.", [
        O("match-price", "Promise to match the price by autumn: cut the problem team, store visits and training.",
          "Ravi gets his number; the board hears a CIO who controls cost.",
          "c-6 t+2 s-2", "lv-2 pb-1", w="W1 W2", clear="problem_team", set="cut_deep"),
        O("attack", "Take the quote apart line by line: show the board what the small print hides.",
          "Homework the board can see.",
          "t+1", "ba-2 lt-1", w="W6", set="attacked_quote", mark="L"),
        O("green", "Show the service dashboard: 99.5 percent uptime, every service level green.",
          "Facts, and they are good.",
          "t+1 s+1", "lv-2 pt-1", w="W3", set="green_report", cond=[("flag.sla_dashboard", "t+1")]),
        O("vocr-quarter", "Show the quarter in value, outcomes, costs and risks, failures included; offer Castellan the hosting it runs cheaper.",
          "Credibility by honesty; some pride goes with the hosting.",
          "c-2 t+1", "lv2 lt2 po1", set="hosting_outsourced", mark="V",
          cond=[("not flag.service_portfolio", "t-1")]),
    ], bite=[("flag.quote_ignored", "t-2", "Ravi brings the quote to the board himself"),
             ("flag.usage_report", "t-1", "Ravi still cannot say what IT costs per order"),
             ("flag.quiet_fix", "t-1", "Sofia finds out why loyalty slipped")]),
    S("r3.ci", "Improvement of the month",
      "One improvement again.", [
        O("ci-change-meeting", "Give the business a seat at the weekly change meeting: every change ranked by value, outcomes, costs and risks.",
          "Strategic change meeting.", "t+1", "cm2 ci1", cap=1, set="change_meeting", mark="L"),
        O("ci-stream-owner", "One owner for detect-to-correct: from a store's call to the lasting fix.",
          "End to end.", "s+1", "vs2 pf1", cap=2, set="stream_owner"),
        O("ci-suite", "A premium monitoring suite with automatic alerts for every server.",
          "Modern tooling.", "c+3 s+2", "pg-1 cb-1", w="W3", cap=1, set="monitoring_suite", mark="V"),
        O("ci-none", "No new improvement this month: the team finishes what it already started.",
          "Honest about capacity: promise only what the team can finish.", "s+1", "lt1"),
    ]),
], pool=[
    E("ev3.influencer", "Free pizza at eight",
      "At half past five Sofia learns her influencer promised free pizza in the app from eight to nine.", [
        O("hope", "Do nothing special; the site held last Friday.", "It usually holds.",
          "", "pe-2 pi-1", w="W1", set="tech_debt"),
        O("prepare", "Add servers for the evening, cap the offer at what the ovens can bake, staff the desk.",
          "Protect the evening by its impact.", "c+1 s+1 t+1", "pi2 pe1", cap=1, mark="L"),
        O("block-code", "Block the code in the app: surprises have consequences.", "Protects the site.",
          "s+2 t-2 u-2", "ba-2", w="W6", set="marketing_burned", mark="V"),
    ], weight=[("flag.marketing_burned", 4), ("flag.campaign_calendar or flag.brm_routine or flag.shared_calendar", 0), ("true", 1)]),
    E("ev3.vendor", "A Saturday upgrade",
      "The till supplier announces a compulsory upgrade for Saturday at six.", [
        O("accept", "Accept: the contract allows it and they know their system.", "Trust the vendor.",
          "", "ci-2 pe-1", w="W1", set="tech_debt"),
        O("move-it", "Move it to Tuesday morning and send them the store calendar.", "Impact first.",
          "c+1 s+1", "ci2 pe1", mark="V L"),
        O("acceptance", "Refuse every upgrade until it passes IT's six-week acceptance process.",
          "Nothing untested.", "s+1 t-1", "ci-1 pg1", w="W4", set="process_heavy"),
    ], weight=[("flag.cycle_calendar", 0), ("true", 2)]),
    E("ev3.orders-screen", "A screen for Tomasz",
      "Tomasz wants a live screen of orders lost per store when something breaks.", [
        O("server-wall", "Put IT's monitoring wall on his screen: eighty graphs, already paid for.", "Free.",
          "t+1", "cv-2 pt-1", w="W3", set="server_wall", mark="L"),
        O("orders-view", "Build it with him: orders per store per hour, red where IT is the cause.", "Customer's side.",
          "c+1 t+1", "cv2 pt1", cap=1, set="order_monitoring", mark="V"),
        O("later", "Put it on the backlog behind the loyalty launch.", "Focus.", "r+1", "cv-1"),
    ], when="not flag.order_monitoring"),
    E("ev3.phase-two", "Phase two",
      "Julian proposes separate owners, tools and reports for incident, problem and change.", [
        O("approve-p2", "Approve phase two; the owners are already named.", "Clear boundaries.",
          "s+1 t+1 c+2", "vs-2 ld-1", w="W4", set="process_silos", mark="V"),
        O("one-chain", "End the contract after phase one; give one person the whole chain.", "End to end.",
          "c-2", "vs2 ld1", set="stream_owner", mark="L"),
        O("smaller", "Approve only the problem process, with Priya as its owner.", "Strengthen what works.",
          "s+1 c+1", "rc1 vs-1"),
    ], when="flag.consultant_hired", weight=[("true", 3)]),
    E("ev3.certificates", "A week in the stores",
      "Training money is left. Mei's team wants certification; Dana offers a week in the stores.", [
        O("certify", "Certification week for everyone.", "Standards.", "s+1", "lk-2", w="W4", set="process_heavy"),
        O("split", "Two days in a store first, then the course.", "Value first.", "t+1", "lk2 rg1", mark="L V"),
        O("return", "Give the money back to Ravi.", "Thrift.", "c-1 t+1", "lk-1", set="cut_deep"),
    ]),
], draws=2, intro="", reflections=[])

# ================================================================== MONTH 4
R(4, "Month 4: A week in Sofia's chair", 9,
  [("flag.process_heavy", -1, "process overhead"), ("flag.firefighting", -1, "unplanned work"),
   ("flag.cut_deep", -2, "people cut in month 3"), ("flag.problem_team", 1, "fewer fires"),
   ("flag.process_silos", -1, "hand-overs between three tools")], [
    S("r4.swap-ask", "Your campaign, their queue",
      "Job swap week: you are marketing director, Sofia sits in IT. Your payday campaign must be live in nine "
      "days, and IT answers by the rules you set.", [
        O("mark-p1", "Mark it priority one, copy Helena, and ask IT for it by Friday.",
          "It is the month's biggest evening; urgency is honest.",
          "r+2 s-2", "bi-1 pi-1 pd-1", w="W5", set="swap_pushed", mark="V"),
        O("agency-around", "Have the agency run it outside IT; they can be live in three days.",
          "The campaign cannot wait for a queue.",
          "r+2 c+1 s-1", "ba-2 ei-1", w="W6 W5", set="shadow_campaign"),
        O("bring-early", "Bring IT the plan now: dates, expected orders, what a failed evening costs you; ask what is realistic.",
          "The business tells IT in time, in terms IT can use.",
          "r+1 t+1", "bi2 ei1", cap=1, mark="L"),
        O("take-seat", "Take your seat at the change meeting and trade your campaign against Tomasz's fix, openly.",
          "Business stays in governance, even when it costs its own request.",
          "t+1", "cm1 pd2 ba1", cond=[("not flag.change_meeting", "t-1")]),
    ], bite=[("flag.process_heavy", "r-1", "the fourteen-field form you approved delays your own campaign"),
             ("flag.it_decides", "t-1", "the IT committee ranked your campaign ninth")]),
    S("r4.swap-desk", "Calling your own desk",
      "Still in Sofia's chair: customers tell marketing the app shows wrong delivery times. You call the "
      "desk and meet the desk you designed.", [
        O("escalate", "Complain to Helena that IT does not care about customers.", "She can make IT move.",
          "t-1 u+1", "ba-1 pt-1", w="W6", set="swap_escalated"),
        O("walk-stream", "Sit with the desk for an hour and follow your call from ticket to fix.", "See detect to correct from the customer's side.",
          "c+1", "vs2 cv1", cap=1, mark="L"),
        O("own-workaround", "Text affected customers a realistic delivery time from marketing's tools, today.", "Protect customers now.",
          "u+2 t+1", "cv1 fg-1", mark="V"),
        O("cost-it", "Tell the desk what the wrong times cost in orders, and ask who owns the cause.", "Business terms.",
          "", "pt1 bi1 fg1"),
    ], bite=[("flag.desk_targets", "u-2", "the desk closed your call in four minutes; nothing changed")]),
    S("r4.payday", "Payday Friday, 19:10",
      "Back in your chair. On payday every till and the site stop taking orders. A queue at Dana's door, "
      "Tomasz in your doorway: 'How long?'", [
        O("restart", "Restart everything now: back in twenty minutes, cause unknown.", "Restore first; that is the job.",
          "r-2 s+1", "rc-2 fg-1", w="W1", set="firefighting"),
        O("war-room", "Put the engineers in a war room, no calls from the business until it is fixed.", "Focus beats updates.",
          "r-3 t-2 s+2", "cv-2 pf-1", w="W3", mark="L"),
        O("bridge", "One call with Dana, Tomasz and Sofia: restore first, an update every fifteen minutes, Priya on the cause with the change log.",
          "One stream, business informed.", "r-3 t+2 u+1", "vs2 pf1 pg1", cap=1, mark="V"),
        O("go-store", "Go to Harbour Street and work the queue while the team fixes it.", "Be where it hurts.",
          "r-3 t+1", "cv1 rg1 pf-1"),
    ], bite=[("flag.pricing_unassessed", "r-3 u-3", "the month-2 pricing change meets its first payday crowd"),
             ("flag.tech_debt", "s-3", "rushed changes stack up"),
             ("flag.order_monitoring", "r+2 u+1", "the order-flow alert fired in two minutes"),
             ("flag.problem_team or flag.root_cause_hunt", "r+1 s+1", "Priya's team is already in the logs"),
             ("flag.process_silos", "r-2", "three tools, three hand-overs, an extra hour"),
             ("flag.infra_renewal", "s+2", "the renewed servers hold the site up"),
             ("flag.cut_deep", "s-2", "the cut ordering platform buckles"),
             ("flag.logins_forced", "r-1", "staff locked out of the tills in the rush"),
             ("flag.loyalty_bigbang", "s-1 c+1", "loyalty points count twice at the tills"),
             ("flag.monitoring_suite", "c+2", "the suite fired eighty alerts, none linked to the change"),
             ("flag.server_wall", "t-1", "Tomasz's wall showed green servers while stores stood still"),
             ("flag.chatbot", "u-1", "the chatbot tells customers their pizza is 'in a queue'"),
             ("flag.swap_pushed", "s-1", "the campaign you forced through as Sofia adds load")]),
    S("r4.cause", "Monday: what did Friday cost?",
      "Helena wants to know by Thursday whether it can happen on Cup Final night. Castellan's quote is on "
      "Ravi's desk.", [
        O("freeze", "A full change freeze until after the Cup Final: nothing changes, nothing breaks.",
          "The oldest safe rule before a peak.", "s+3 t+1 r-2", "pi-2 ba-1", w="W2", set="blanket_freeze", mark="V"),
        O("vocr-cost", "Price the outage with Priya: orders lost, food given away, staff hours; ask the board for two engineers for two weeks.",
          "The problem case in VOCR; it costs people now.", "c+1 s+2", "pb2 lv2 rc1", cap=2,
          set="outage_cost_known price_engine_fixed", mark="L"),
        O("servers", "Double the database capacity before the final; no engineers needed.", "Hardware buys certainty.",
          "c+3 s+3", "rc-1 cb-1 pi1", w="W3", set="bought_capacity"),
        O("checklist", "A thirty-item pre-release checklist for every change from Monday.", "Never again, by procedure.",
          "s+2", "ld-2 ci-1", w="W4", cap=1, set="process_heavy"),
    ], bite=[("flag.problem_team or flag.root_cause_hunt", "c-2", "fewer overtime nights since the problem work began"),
             ("flag.hosting_outsourced", "c-2", "Castellan's hosting contract starts, cheaper"),
             ("flag.green_report", "t-2", "the board remembers last quarter's green page")]),
    S("r4.storm", "No signal",
      "A storm knocks out the mast above Kettleby for a week (the outcome depends on month 2).", [
        O("operator", "Log a ticket with the mobile operator and close it on our side.", "Not our mast.",
          "", "rg-2 cv-2", w="W6"),
        O("paper", "Print routes for the drivers each evening and ask the stores to call customers.", "Works tonight.",
          "u+1", "cv1 fg-1", mark="V"),
        O("go-fix", "Drive up with a developer, then build the offline mode.", "Go and see; fix for good.",
          "c+1 u+1", "rg2 fg2", cap=3, set="offline_mode", mark="L"),
    ], when="not flag.offline_mode",
      bite=[("true", "u-4 r-1", "one hill order in three is lost"),
            ("flag.hills_ignored", "t-2", "Lars copies Tomasz: 'works as designed'"),
            ("flag.hills_lab", "u-1 t-1", "the lab said it worked")]),
    S("r4.storm-holds", "The app that kept working",
      "The storm hits, and the offline mode works: the other chains stop delivering in the hills.", [
        O("report", "Report it in the IT newsletter as a model change.", "Credit to the team.",
          "t+1", "pt-1", mark="L"),
        O("grow", "Ask Tomasz and Sofia how to win the hill customers for good, and bring Lars.", "Relationship.",
          "u+2 r+1", "ri2 ru1", cap=1, mark="V"),
        O("move-on", "Move the developers to the Cup Final work at once.", "Priorities.",
          "s+1", "pi1 ri-1"),
    ], when="flag.offline_mode and not visited(r4.storm)", bite=[("true", "u+4 r+1", "hill customers switch to Grab@Pizza")]),
    S("r4.portfolio", "After Friday: room for three",
      "The backlog after payday; pick up to three.", [
        O("load-test", "A load test at Cup Final volume, with Sofia's campaign numbers.", "Know the peak.",
          "s+1", "pe2 ci1", cap=2, set="cup_capacity"),
        O("refunds", "Refund the customers the pricing change overcharged, and fix the rule.", "Customer first.",
          "u+2 c+1", "cv2 fg1", cap=2, when="flag.pricing_unassessed"),
        O("promo-page", "Sofia's Cup Final promotion page.", "Revenue.", "r+2 t+1", "", cap=2),
        O("payment", "Ravi's payment provider switch (if not done).", "Savings.", "c-2 s-1", "ci-1", cap=2,
          when="not flag.payment_switched", set="payment_switched"),
        O("major-incident", "Julian's major incident process: its own owner, tool and handbook.", "Best practice.",
          "s+1 t+1 c+1", "vs-2", w="W4", cap=1, set="process_silos", when="flag.consultant_hired or flag.process_silos"),
        O("desk-bot", "A chatbot to take store calls at night.", "Cheaper desk.",
          "c-1", "fg-1 ru-1", w="W3", cap=1),
        O("monitoring", "Order-flow monitoring (if not done).", "Detect from the customer's side.",
          "c+1", "cv2", cap=2, when="not flag.order_monitoring", set="order_monitoring"),
        O("kofi-reorder", "Kofi's 'your usual in two taps' for all stores.", "Innovation with Sofia.",
          "r+2 u+1", "ia1", cap=2, when="flag.it_proposal or flag.hack_day", set="reorder_live"),
    ], kind="portfolio", k=3),
    S("r4.ci", "Sofia's list",
      "Sofia is back in marketing after a week in IT. She hands you her list; you can take on one item.", [
        O("ci-it-in-planning", "One of your people in marketing's weekly planning.", "IT in early.",
          "t+1", "ei2 bi1", cap=1, set="it_in_planning", mark="V"),
        O("ci-one-page", "Replace the change form with one page on value and risk.", "Processes that help decide.",
          "t+1", "ld2 cb1", cap=1, set="one_page_change", mark="L"),
        O("ci-keep", "Keep the rules as they are: they protected the stores this month.", "Stability.",
          "s+2", "ld-1 ba-1", w="W4"),
        O("ci-none", "No new improvement this month: the team finishes what it already started.",
          "Honest about capacity: promise only what the team can finish.", "s+1", "lt1"),
    ]),
], pool=[
    E("ev4.sorry-push", "A sorry message",
      "Sofia wants a thirty-percent sorry code to every app user tonight at seven.", [
        O("push-now", "Send it at seven as she asks.", "Make amends fast.", "u+2 t+1 s-3", "ci-2 cv1", w="W1", mark="V"),
        O("plan-together", "Agree with her: send it in waves from Tuesday, capped at oven capacity.", "Impact first.",
          "u+1", "ci2 ba1", mark="L"),
        O("refuse", "Refuse any campaign until the cause is fixed.", "Safety.", "s+1 t-2", "ba-2", w="W2"),
    ], weight=[("flag.it_in_planning or flag.brm_routine", 0), ("flag.marketing_burned", 3), ("true", 1)]),
    E("ev4.leak", "The leak",
      "Castellan's quote has leaked to the IT floor; engineers update their profiles.", [
        O("deny", "Tell the team there is nothing to it.", "Calm.", "", "lt-2", w="W6"),
        O("explain", "Tell them the truth and what the board wants to see from IT.", "Everyone knows the value.",
          "t+1", "lk2 lt1", mark="L V"),
        O("bonus", "Offer retention bonuses to the key engineers.", "Keep people.", "c+2 s+1", "lv-1"),
    ], weight=[("flag.attacked_quote", 4), ("trust < 50", 2), ("true", 0)]),
    E("ev4.night-rota", "Office hours",
      "The desk works until ten; stores stay open until midnight.", [
        O("keep", "Keep the contract hours.", "Contract met.", "c-1", "pe-2", w="W2"),
        O("shift", "Let the team design a rota around the stores' late hours.", "Business cycle.", "c+1 t+1", "pe2 lk1", mark="L V"),
        O("night-desk", "Buy a night desk from an outside firm for the late hours.", "Cover at the right hours.",
          "c+2 s+1", "pi1 ru-1"),
    ]),
], draws=1, intro="", reflections=[])

# ================================================================== MONTH 5
R(5, "Month 5: The Cup Final", 8,
  [("flag.process_heavy", -1, "process overhead"), ("flag.firefighting", -1, "unplanned work"),
   ("flag.cut_deep", -2, "the people you cut"), ("flag.problem_team", 1, "fewer fires"),
   ("flag.cycle_calendar or flag.campaign_calendar", 1, "the final was planned six weeks ago"),
   ("flag.one_page_change", 1, "one-page changes move faster")], [
    S("r5.plan", "Three weeks to kick-off",
      "The Cup Final is in three weeks; Sofia's free-delivery adverts run on national TV. What is IT's plan?", [
        O("double-all", "Double every server and licence for the weekend; no one will say IT was not ready.",
          "Certainty for the board.", "c+4 s+3 t+1", "pi-2 lv-1", w="W1", mark="V"),
        O("runbook", "IT's own runbook and a lab load test at three times normal volume.", "Engineering discipline.",
          "s+3", "pe-1 ei-1", w="W3", cap=1, set="runbook_only"),
        O("peak-plan", "A peak plan with Sofia, Tomasz and Dana: orders per hour, cost of an hour down, who decides on the night.",
          "Everyone knows the cycle and the cost.", "s+2 t+2", "pe2 bi1 pg1 pd1", cap=2, set="peak_plan", mark="L"),
        O("ask-move", "Ask Sofia to move free delivery to the week after, when IT is ready.", "Risk reduction.",
          "s+2 r-2 t-1", "ba-2 pi-1 ci1", w="W2"),
    ], bite=[("flag.blanket_freeze", "r-2 t-1", "the freeze blocks Sofia's launch plans"),
             ("flag.change_meeting", "t+1", "the directors saw the final coming at the change meeting"),
             ("flag.outage_cost_known", "t+1", "the board still quotes your page on what payday cost"),
             ("flag.shadow_campaign", "s-1", "the agency's campaign site is on nobody's list")]),
    S("r5.portfolio", "Nine days, six number ones",
      "Six requests must be 'live before Saturday'. Pick up to two (three with a working change meeting).", [
        O("match-scores", "Live match scores in the app (Sofia).", "Engagement on the night.", "r+1 t+1 s-2", "ci-1", w="W1", cap=2),
        O("double-points", "Double loyalty points for the final (Sofia).", "Revenue.", "r+2 u+1 s-1", "", cap=2, set="double_points"),
        O("dispatch", "Dispatch screen for the drivers (Tomasz).", "Faster doors on the night.", "u+1 s+1", "cv1", cap=2),
        O("price-fix", "The last piece of the price-engine fix (Priya).", "Remove the cause before the peak.",
          "s+3", "rc2 pg1", cap=1, when="flag.price_engine_fixed or flag.problem_team", set="price_fix_done"),
        O("cheap-pay", "Switch the payment provider before the final (Ravi).", "Savings.", "c-2 s-2", "ci-2", w="W1", cap=1),
        O("reorder", "Kofi's two-tap reorder, if piloted.", "Innovation.", "r+2", "ia1", cap=1,
          when="flag.it_proposal and not flag.reorder_live", set="reorder_live"),
    ], kind="portfolio", k=2, kplus="flag.decision_rights or flag.change_meeting"),
    S("r5.final", "Saturday, 21:47",
      "Extra time; orders triple. The app slows, the payment page times out and retries (and, if double points run, the points fail).", [
        O("hotfix", "Put the developers' untested fix live now.", "It might work in thirty seconds.",
          "r+2 s-3", "ci-2", w="W1", mark="V"),
        O("it-room", "The IT room decides alone; the business hears afterwards.", "No time for meetings.",
          "s+1 t-2", "ba-2 pf-1 pd-1", w="W6"),
        O("joint-room", "Sofia, Tomasz and IT in one room: switch off double points, keep ordering up, tell customers.",
          "Decide by business impact, together.", "r-1 t+3 s+1", "cv2 ba1 pi1", mark="L"),
        O("rollback", "Roll everything back to Friday's version, loyalty off all night.", "Safe.",
          "s+2 r-2 t-1", "ci2 cv-1"),  # writer C: ci2 (audit: two positive options)
    ], bite=[("true", "r+3 u+3", "the final's extra orders and first-time customers"),
             ("flag.peak_plan", "r+3 s+2 u+1", "the peak plan holds; free delivery keeps its promise"),
             ("flag.cup_capacity", "s+2", "capacity was tested"),
             ("flag.tech_debt", "s-3 r-2 u-2", "old rushed changes give way"),
             ("flag.price_fix_done or flag.price_engine_fixed", "s+2", "the price engine holds"),
             ("flag.bought_capacity", "s+1", "extra database capacity"),
             ("flag.double_points and not flag.peak_plan", "u-2 t-1", "double points fail"),
             ("flag.reorder_live", "r+2", "two-tap reorders"),
             ("flag.agency_app or flag.shadow_campaign", "s-2", "the agency's app collapses first"),
             ("flag.order_monitoring", "r+1", "early detection"),
             ("flag.runbook_only", "t-1", "the business learns the plan on the night"),
             ("flag.outage_cost_card", "r+1", "everyone knows what a minute costs tonight")]),
    S("r5.after", "Sunday: the lost points",
      "Sunday morning. Elif Demir was charged twice when the payment page retried; if double points ran, 9,000 customers lost them. What first?", [
        O("restore-by-hand", "Restore points by hand for 9,000 customers overnight; Sofia announces it.", "Customers first.",
          "u+3 t+2", "cv2 fg-1", mark="V"),  # writer C: cv2
        O("joint-review", "A blameless review with Sofia and Tomasz: what customers lived through, the cost, the fix, in VOCR.",
          "Problem case and e2e.", "c+1", "pb1 vs1 pt1 lt1", cap=1, set="joint_review", mark="L"),
        O("vendor-blame", "A formal complaint to the loyalty vendor; their component failed.", "Contract.",
          "t+1", "ba-1 fg-1", w="W6"),
        O("benchmark", "Commission a benchmark of our service levels against Castellan's.", "Facts for the board.",
          "c+1 t+1", "lv-1 ld-1", w="W4"),
    ]),
    S("r5.ci", "Improvement of the month",
      "One improvement, with the board's decision a month away.", [
        O("ci-product-team", "A joint ordering team: Sofia's product owner, two developers, Dana as the stores' voice.",
          "Convergence pilot.", "t+1 c+1", "ba2 vs1", cap=2, set="product_team", mark="L"),
        O("ci-cost-card", "The cost of an hour down, on every desk and in every plan.", "Everyone understands.",
          "", "pe2 pt1", cap=1, set="outage_cost_card"),
        O("ci-cost-programme", "A cost programme to beat Castellan's quote by ten percent.", "Cost control.",
          "c-4 t+1 s-2", "lv-1 pi-1", w="W2", set="cut_deep"),
        O("ci-none", "No new improvement this month: the team finishes what it already started.",
          "Honest about capacity: promise only what the team can finish.", "s+1", "lt1"),
    ]),
], pool=[
    E("ev5.fan-zone", "The fan zone",
      "Tomasz wants a pop-up store at the fan zone with tills on mobile data.", [
        O("not-in-catalogue", "Not in the service catalogue; request it next quarter.", "Rules.", "s+1 t-2", "ru-2", w="W2"),
        O("visit", "Go to the site with Tomasz and set it up with him.", "Go and see.", "r+1 c+1", "rg2 ci1", cap=1, mark="L V"),
        O("standard", "Ship a standard store kit and hope for signal.", "Fast.", "r+1 s-1", "rg-1", w="W1"),
    ]),
    E("ev5.agency-app", "The agency's own app",
      "The agency launches its own Cup Final app that takes orders.", [
        O("forbid", "Forbid it.", "Control.", "s+1 t-2", "ba-2", w="W6"),
        O("join", "Join them; test it against the order flow.", "Early involvement.", "c+1 t+1", "ei2 ba1", cap=1, mark="L V"),
        O("allow", "Let it run.", "Speed.", "r+1 s-2", "ci-2 pi1", w="W1", set="tech_debt"),
    ], weight=[("flag.marketing_burned or flag.shadow_campaign or flag.hands_off", 4), ("flag.it_in_planning", 0), ("true", 1)]),
    E("ev5.holidays", "Booked holidays",
      "Three engineers booked holidays for the final weekend.", [
        O("rules", "Holidays are approved; the rules are the rules.", "Fair.", "s-2 t+1", "pe-2", w="W2"),
        O("ask-team", "Ask the team how to cover the night; they know what it costs.", "Everyone knows the value.",
          "", "pe1 lk2", mark="L V"),
        O("cancel", "Cancel the holidays for the final weekend and pay a bonus.", "The night matters most.",
          "s+2 c+1", "pi2 lk-1"),  # writer C: pi2 lk-1
    ]),
], draws=1, intro="", reflections=[])

# ================================================================== MONTH 6
R(6, "Month 6: The board decides", 7,
  [("flag.process_heavy", -1, "process overhead"), ("flag.firefighting", -1, "unplanned work"),
   ("flag.problem_team", 1, "fewer fires"), ("flag.product_team", 1, "the joint team carries its own work")], [
    S("r6.complaint", "One customer's complaint",
      "Elif Demir was charged twice on final night; three weeks, four tickets, three teams, each closed its part. "
      "Follow her complaint from her side.", [
        O("tighten", "Tighten each team's service level so every step is faster.", "Measurable improvement.",
          "s+1 t+1", "vs-2", w="W4", mark="V"),
        O("trace", "Walk her journey end to end with Mei, Priya, Oskar and Dana; remove the hand-overs that added days.",
          "Detect to correct as one stream.", "s+1 t+1 u+1", "vs2 cv2 fg1", cap=2, set="stream_traced", mark="L"),
        O("refund-call", "Refund her today with a voucher, and ask Helena to call her.", "Customer first.",
          "u+2 t+2", "cv1 lt1 fg-1"),
        O("suite", "Buy an integrated service-management suite that links tickets automatically.", "Tooling fixes hand-overs.",
          "c+3 s+1", "vs1 lv-1", w="W3"),
    ], bite=[("flag.process_silos", "u-1", "her case crosses three tools"),
             ("flag.joint_review", "u+1", "the post-final review already found the double charge"),
             ("flag.stream_owner", "u+1", "one owner finds her case in a day")]),
    S("r6.offer", "The offer on paper",
      "Castellan's final offer: all of IT for 88 percent of today's cost. You present the alternative.", [
        O("match", "Promise to beat it: cut to the outsourcer's price by next year.", "Finance wants a number.",
          "c-5 s-3 t+1", "lv-2", w="W1", set="cut_deep", mark="V"),
        O("split", "Give Castellan the commodity hosting and night desk; keep what the stores depend on, decided by the portfolio.",
          "VOCR; portfolio.", "c-3 t+1", "po2 lv2", cap=1, cond=[("not flag.service_portfolio", "t-2")], mark="L"),
        O("reject", "Fight it at the board: an outsourcer does not know pizza.", "Defend the team.",
          "t-1", "ba-2 lt-1", w="W6"),
        O("with-directors", "Write the alternative with the directors, Ravi included: what each must have next year.",
          "Understand first; jointly owned.", "t+2", "ru2 ri1", cap=2, set="joint_proposal"),
    ]),
    S("r6.shape", "What IT becomes",
      "Helena asks what IT should look like next year.", [
        O("product-teams", "Joint product teams for ordering, stores and delivery, each with a business owner.",
          "Converge.", "t+1 r+1", "ba2 lk1 vs1", cap=1, mark="L"),
        O("brm", "Business partners for each director and a portfolio review every quarter.", "Align.",
          "t+1", "ri1 po1 cm1"),
        O("gatekeeper", "A demand office: all requests enter through IT, ranked centrally.", "Control.",
          "s+2 t-1", "ei-1 ba-2 cm-1", w="W2", mark="V"),
        O("certified", "A certified process organisation with a maturity target.", "Best practice.",
          "s+1 t+1", "ld-2", w="W4"),
    ]),
    S("r6.board", "The board decides",
      "The last Thursday. Ravi presents the offer; you present the alternative.", [
        O("metrics", "Present the service levels, the uptime and the tickets closed.", "Facts.",
          "t+1", "lv-2 pt-1", w="W3", mark="V"),
        O("joint-plan", "Present it with Sofia and Tomasz: next year's value, outcomes, costs and risks, with failures.",
          "Balanced and VOCR.", "t+2", "ba2 lv1 lt1", mark="L"),
        O("stories", "Tell three stories: the hills, the final, Elif's complaint.", "Relationship.",
          "t+2", "lt1 cv1"),
        O("central-approval", "Propose that central IT approves every technology purchase to end shadow IT.", "Security and cost.",
          "s+1 c-1", "ba-2 pd-1", w="W2 W4"),
    ], bite=[("flag.joint_proposal", "t+2", "the directors wrote it with you"),
             ("flag.marketing_burned", "t-2", "Sofia remembers the bans"),
             ("flag.hosting_outsourced", "c-1", "the hosting deal already saves money"),
             ("flag.swap_escalated", "t-1", "Helena repeats the complaint you made as Sofia")]),
], pool=[
    E("ev6.tablets", "The tablets again",
      "The store tablets freeze again at peak.", [
        O("script", "Another restart script.", "Works.", "s+1", "rc-2", w="W3"),
        O("trace", "Trace it through the stream with Priya.", "Cause.", "c+1 s+2", "rc2 pg1", cap=1, mark="L V"),
        O("replace", "Replace all tablets.", "New kit.", "c+4 s+2", "pb-1", w="W3"),
    ], weight=[("flag.tills_rebooted or flag.firefighting", 4), ("flag.tablets_fixed", 0), ("true", 1)],
      bite=[("true", "r-1", "a lost evening")]),
    E("ev6.poach", "An offer for Mei",
      "Castellan offers Mei a job.", [
        O("match-salary", "Match the salary.", "Keep her.", "c+1", "lt1 ri1 lk-1"),  # writer C: ri1
        O("ask-mei", "Ask her what would make her stay, and give the desk the store role she wants.", "Relationship.",
          "t+1", "lk2 ri1", mark="L V"),
        O("let-go", "Let her go and promote her deputy; the desk's procedures are documented.", "Process.", "c-1 s-1", "lk-2", w="W4"),
    ]),
    E("ev6.new-stores", "Three new stores",
      "Tomasz opens three stores next month.", [
        O("standard", "Standard package, ordered through the portal.", "Process.", "s+1", "pi-2", w="W2"),
        O("go-early", "Visit the sites now with Tomasz.", "Early.", "c+1 u+1", "ei2 rg1", cap=1, mark="L V"),
        O("complain", "Tell Tomasz he should have asked IT three months ago, and send the lead times.", "Plans need IT early.",
          "t-1", "ba-2 bi1", w="W6"),
    ]),
], draws=1, intro="", reflections=[])


# ------------------------------------------------------------------ rationales, written out
# The argument a competent CIO would give for each option (what the writer must make audible).
WHY = {
    "ev1.sensors.block": "Unknown devices on the till network are a real security risk; a firm line now prevents worse.",
    "ev1.sensors.connect": "Operations asked for help; the sensors are tiny and saying yes builds goodwill.",
    "ev1.ticket-record.celebrate": "A team that closed a thousand tickets deserves recognition; morale matters in a turnaround.",
    "ev1.julian.approve": "Clear owners and handbooks are what every framework recommends; gaps get covered.",
    "ev1.julian.end-contract": "The money does more for the turnaround in the ordering site than in slides.",
    "ev1.quote.ignore": "Outsourcing quotes leave out transition, exit and the knowledge that walks out; answering dignifies it.",
    "r2.pricing.reject": "The same rules for everyone protect the stores; an exception for marketing invites a hundred more.",
    "r2.hills.lab-test": "A controlled, repeatable test with measured results; the same standard as every release.",
    "ev2.freeze-again.restart-again": "The restart is proven and takes ten minutes; stores want service, not analysis.",
    "ev2.freeze-again.give-priya": "The third recurrence is the cheapest moment to remove the cause.",
    "ev2.shadow-app.allow": "Marketing knows its customers, and blocking them only drives the next app further away.",
    "ev2.cloud-bill.night-off": "Idle servers at night are waste; the saving is immediate and visible.",
    "ev2.cloud-bill.usage": "Full transparency: finance sees exactly what it pays for.",
    "ev2.cloud-bill.per-order": "Cost per order shows the bill in the business's terms: growth, not waste.",
    "ev2.legacy.restore": "Drivers must be paid; the old system is known to work.",
    "ev2.legacy.fix-and-learn": "Pay by hand now, then fix it in the new platform so the gap cannot recur.",
    "ev2.login.enforce": "Shared passwords break every audit and make fraud untraceable.",
    "ev2.login.watch-first": "See why stores share a password before designing what replaces it.",
    "ev2.login.stores-decide": "Store managers know their staff and their rush; let them own it.",
    "r3.governance.it-committee": "Experts judge feasibility and risk best; a neutral committee ends the lobbying.",
    "r3.ci.ci-change-meeting": "Directors and IT weigh changes by value and risk together, every week.",
    "r3.ci.ci-stream-owner": "One person answers for a store's problem from first call to lasting fix.",
    "r3.ci.ci-suite": "Modern monitoring sees problems before people do; the vendor shows impressive demos.",
    "r3.ci.ci-certify": "Certified staff share one vocabulary and one standard; auditors and clients ask for it.",
    "ev3.influencer.hope": "The site held last Friday; extra servers cost money for a maybe.",
    "ev3.influencer.block-code": "An unannounced free offer can take the site down for everyone; stopping it protects every store.",
    "ev3.vendor.accept": "The supplier knows its system, and the contract allows it.",
    "ev3.vendor.move-it": "A cheaper slot for the stores, and the supplier learns the business calendar.",
    "ev3.vendor.acceptance": "Nothing untested reaches the tills, whoever wrote it.",
    "ev3.orders-screen.server-wall": "It exists, it is paid for, and it shows everything IT measures.",
    "ev3.orders-screen.orders-view": "One screen of lost orders, read by business and IT alike.",
    "ev3.orders-screen.later": "Loyalty is the bigger revenue item; a screen can wait a month.",
    "ev3.phase-two.approve-p2": "Clear boundaries and owners; the framework says so and the owners are named.",
    "ev3.phase-two.one-chain": "One owner for the whole chain closes the gaps between the boxes.",
    "ev3.phase-two.smaller": "Strengthen the process that already pays, and keep the cost down.",
    "ev3.certificates.certify": "A certified team follows one standard; it is what the budget was for.",
    "ev3.certificates.split": "People who have seen a store understand what the course is for.",
    "ev3.certificates.return": "Giving money back builds credit with finance in a cost-cutting year.",
    "r4.swap-desk.escalate": "The CEO can make IT move; customers are complaining now.",
    "r4.swap-desk.own-workaround": "Customers hear a realistic time today, whatever IT does.",
    "r4.swap-desk.cost-it": "IT acts on a cost it can see; say it in orders lost.",
    "r4.payday.war-room": "Engineers fix faster without interruptions; updates can wait an hour.",
    "r4.payday.bridge": "One call keeps stores, operations and marketing acting on the same facts while IT restores.",
    "r4.payday.go-store": "Leaders go where it hurts; the team knows what to do.",
    "r4.cause.servers": "Hardware is the quickest certainty before the final, and needs no scarce engineers.",
    "r4.cause.checklist": "A procedure makes sure no change skips the checks again.",
    "r4.storm.operator": "The mast is the operator's; IT cannot fix the weather.",
    "r4.storm.paper": "Works tonight, with what the stores already have.",
    "r4.storm-holds.report": "Give the team public credit for a change that worked.",
    "r4.storm-holds.grow": "Ask the business how to keep what the storm brought, with the driver who showed the way.",
    "r4.storm-holds.move-on": "The Cup Final needs the developers; the hills are fine now.",
    "r4.portfolio.load-test": "Know what the final does to ordering before the final does it.",
    "r4.portfolio.refunds": "The overcharged customers are owed; fix the rule too.",
    "r4.portfolio.promo-page": "Sofia's campaign for the final; visible revenue.",
    "r4.portfolio.payment": "A saving on every order, for good.",
    "r4.portfolio.major-incident": "Payday showed a need for a major-incident routine; this one is ready-made.",
    "r4.portfolio.desk-bot": "Stores get an answer at night for a fraction of a desk's cost.",
    "r4.portfolio.kofi-reorder": "IT's own idea, now with Sofia's campaign behind it.",
    "r4.ci.ci-it-in-planning": "IT hears marketing's plans while they can still change.",
    "r4.ci.ci-one-page": "A form that helps decide, instead of fourteen fields that only check.",
    "r4.ci.ci-keep": "The rules protected the stores this month; changing them now adds risk before the final.",
    "ev4.sorry-push.push-now": "Angry customers want an apology tonight, not next week.",
    "ev4.sorry-push.plan-together": "An apology that does not cause the next outage.",
    "ev4.sorry-push.refuse": "No campaigns until the cause is fixed; another outage would be worse.",
    "ev4.leak.deny": "Calm the team now; the board has not decided anything.",
    "ev4.leak.explain": "The team hears the truth, and what the board needs to see from IT.",
    "ev4.leak.bonus": "The engineers who know the systems are the real risk; keep them.",
    "ev4.night-rota.keep": "The contract is met, and the budget has no room for nights.",
    "ev4.night-rota.shift": "Cover follows the stores' late hours, designed by the people who work them.",
    "ev4.night-rota.night-desk": "Cover at the right hours, without burning out the team.",
    "r5.plan.double-all": "Nobody will say IT was not ready; capacity is cheap compared with a failed final.",
    "r5.plan.runbook": "Engineering discipline: a tested runbook and a load test at three times normal volume.",
    "r5.plan.ask-move": "Moving the offer a week removes the biggest risk of the year.",
    "r5.portfolio.match-scores": "Fans stay in the app during the match; engagement sells pizza.",
    "r5.portfolio.double-points": "Loyalty points on the biggest night bring orders back next month.",
    "r5.portfolio.cheap-pay": "Ravi's saving starts with the biggest order night.",
    "r5.portfolio.reorder": "IT's own idea, on the night it matters most.",
    "r5.final.it-room": "No time for meetings; the people who understand the systems decide.",
    "r5.final.rollback": "Friday's version worked; a known state beats a guess.",
    "r5.after.restore-by-hand": "Customers get their points back by Monday; the apology is visible.",
    "r5.after.joint-review": "Learn what customers lived through and what it cost, with the business, without blame.",
    "r5.after.vendor-blame": "The vendor's component failed; the contract has penalties for that.",
    "r5.after.benchmark": "Hard numbers against Castellan before the board decides.",
    "r5.ci.ci-product-team": "Business and IT own the ordering service together, day to day.",
    "r5.ci.ci-cost-card": "Everyone in IT knows what an hour down costs, and plans by it.",
    "r5.ci.ci-major": "The final showed a need for a major-incident process; the template exists.",
    "r5.ci.ci-cost-programme": "Beating the quote is the surest answer to the board.",
    "ev5.fan-zone.not-in-catalogue": "A pop-up is not a standard service; untested kit at the biggest event is a risk.",
    "ev5.fan-zone.visit": "See the site and its signal before the kit goes there.",
    "ev5.fan-zone.standard": "The standard kit works in forty stores; ship it today.",
    "ev5.agency-app.forbid": "Untested ordering apps on the biggest night are a risk to every store.",
    "ev5.agency-app.join": "Test it against the order flow with the agency before Saturday.",
    "ev5.agency-app.allow": "The agency is fast and marketing wants it; fighting it now costs the night.",
    "ev5.holidays.rules": "Approved holidays are a promise to the team.",
    "ev5.holidays.ask-team": "The people on the rota know best how to cover a night they understand.",
    "ev5.holidays.cancel": "The final matters more than anything else this year.",
    "r6.complaint.tighten": "Faster steps everywhere; measurable and reportable.",
    "r6.complaint.trace": "Her journey, not the tickets, shows where days were lost.",
    "r6.complaint.refund-call": "She gets her money and an apology today, from the top.",
    "r6.complaint.suite": "A suite that links tickets removes the hand-overs by design.",
    "r6.offer.match": "Finance wants a number, and matching it ends the debate.",
    "r6.offer.split": "Give away what is a commodity, keep what the stores depend on; the portfolio shows which is which.",
    "r6.offer.reject": "An outsourcer does not know pizza; the board should hear it plainly.",
    "r6.offer.with-directors": "A proposal the directors wrote is one they will defend.",
    "r6.shape.product-teams": "Teams that own a service with its business owner; one team, not two.",
    "r6.shape.brm": "A partner for each director and a quarterly portfolio review; proven and lighter.",
    "r6.shape.gatekeeper": "One front door ends shadow IT and duplicate spending.",
    "r6.shape.certified": "A certified process organisation is what boards and auditors recognise.",
    "r6.board.metrics": "Facts the board can check: uptime, service levels, tickets closed.",
    "r6.board.joint-plan": "The directors present next year with IT, failures included.",
    "r6.board.stories": "Three stories the board will remember better than numbers.",
    "r6.board.central-approval": "Central approval of every purchase ends shadow IT and its risks.",
    "ev6.tablets.script": "It works, it is cheap, the stores are back in a minute.",
    "ev6.tablets.trace": "Follow the freeze through the whole stream to its cause.",
    "ev6.tablets.replace": "New tablets end the problem and the complaints.",
    "ev6.poach.match-salary": "Keep the person the stores trust.",
    "ev6.poach.ask-mei": "Find out what she wants from her work before talking money.",
    "ev6.poach.let-go": "Her procedures are documented and her deputy is ready; no one is irreplaceable.",
    "ev6.new-stores.standard": "The standard package is tested and quick to order.",
    "ev6.new-stores.go-early": "Visit the sites while the plans can still change.",
    "ev6.new-stores.complain": "Three months' notice is what IT needs; say so, with the lead times.",
    "r3.portfolio.tablets": "Removes a weekly cost in every store.",
    "r3.portfolio.dispatch": "Drivers reach the door faster.",
    "r3.portfolio.payment": "A saving on every order.",
    "r3.portfolio.menu-screens": "A visible win in every store.",
    "r3.portfolio.chatbot": "Modern, cheap, and Sofia wants it.",
    "r3.portfolio.change-tool": "Tidier, traceable changes.",
}


def _apply_why():
    for rd in ROUNDS:
        for s in rd["scenes"] + rd["pool"]:
            for o in s["options"]:
                o["why"] = WHY.get(f"{s['id']}.{o['id']}", o["why"])


_apply_why()


# ------------------------------------------------------------------ surface markers for writers
def assign_marks():
    """Which option a writer makes the longest (L) and the most 'collaborative-sounding' (V).

    The best-evidence option is the longest in one scene of four and the most virtuous-sounding in one
    of three; otherwise a worst-practice option (or the weakest) carries the mark. Writers follow these
    marks; `story audit` then measures the result.
    """
    i = 0
    for rd in ROUNDS:
        for s in rd["scenes"] + rd["pool"]:
            if s["kind"] != "choice":
                continue
            opts = s["options"]
            for o in opts:
                o["mark"] = ""
            ranked = sorted(opts, key=lambda o: sum(o["ev"].values()), reverse=True)
            best = ranked[0]
            ws = [o for o in ranked if o["worst"]]
            if i % 4 == 0:
                lo = best
            else:
                lo = ws[0] if ws else ranked[-1]
            if i % 3 == 1 and lo is not best:
                vo = best
            else:
                cands = [o for o in ws if o is not lo] or [o for o in ranked[1:] if o is not lo] or ranked[1:]
                vo = cands[0]
            lo["mark"] += "L"
            vo["mark"] += "V"
            i += 1


assign_marks()
