"""Texts of the default questionnaires in English, Italian and French.

Each entry maps a question code to ``{locale: {"prompt", "help", "labels"}}``; ``labels`` name
the five points of a 1..5 scale, lowest first. Written for this product from the practices in
the domain notes (standards, responsiveness, the whole interaction, courtesy, clarity).
"""

from __future__ import annotations

from typing import Any

SATISFACTION_LABELS = {
    "en": ["Very dissatisfied", "Dissatisfied", "Neither", "Satisfied", "Very satisfied"],
    "it": [
        "Per nulla soddisfatto",
        "Poco soddisfatto",
        "Né sì né no",
        "Soddisfatto",
        "Molto soddisfatto",
    ],
    "fr": ["Très insatisfait", "Insatisfait", "Ni l'un ni l'autre", "Satisfait", "Très satisfait"],
}
EASE_LABELS = {
    "en": ["Very hard", "Hard", "Neither", "Easy", "Very easy"],
    "it": ["Molto difficile", "Difficile", "Né facile né difficile", "Facile", "Molto facile"],
    "fr": ["Très difficile", "Difficile", "Ni facile ni difficile", "Facile", "Très facile"],
}
QUALITY_LABELS = {
    "en": ["Very poor", "Poor", "Fair", "Good", "Excellent"],
    "it": ["Pessimo", "Scarso", "Discreto", "Buono", "Eccellente"],
    "fr": ["Très mauvais", "Mauvais", "Correct", "Bon", "Excellent"],
}

# The ends of a 0..10 scale (the points between have no words).
LIKELIHOOD_LABELS = {
    "en": ["Not at all likely", *[""] * 9, "Extremely likely"],
    "it": ["Per niente probabile", *[""] * 9, "Estremamente probabile"],
    "fr": ["Pas du tout probable", *[""] * 9, "Extrêmement probable"],
}
# The words of a scale an administrator adds, by question type: those of the default
# questions' statements (a 1..5 rating of how well a department does something).
NEW_SCALE_LABELS = {"likert5": QUALITY_LABELS, "nps": LIKELIHOOD_LABELS}


def _texts(
    prompts: dict[str, str],
    helps: dict[str, str] | None = None,
    labels: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for locale, prompt in prompts.items():
        entry: dict[str, Any] = {"prompt": prompt, "help": (helps or {}).get(locale, "")}
        if labels:
            entry["labels"] = labels[locale]
        result[locale] = entry
    return result


POST_INTERACTION: list[dict[str, Any]] = [
    {
        "code": "overall",
        "qtype": "likert5",
        "dimension": "satisfaction",
        "required": True,
        "texts": _texts(
            {
                "en": "Overall, how satisfied are you with how your request was handled?",
                "it": "Nel complesso, quanto è soddisfatto di come è stata gestita la sua richiesta?",
                "fr": "Dans l'ensemble, êtes-vous satisfait de la façon dont votre demande a été traitée ?",
            },
            labels=SATISFACTION_LABELS,
        ),
    },
    {
        "code": "effort",
        "qtype": "likert5",
        "dimension": "effort",
        "texts": _texts(
            {
                "en": "How easy was it to get what you needed?",
                "it": "Quanto è stato facile ottenere ciò di cui aveva bisogno?",
                "fr": "Avez-vous obtenu facilement ce dont vous aviez besoin ?",
            },
            {
                "en": "Think of forms, follow-ups and being passed from one person to another.",
                "it": "Pensi a moduli, solleciti e passaggi da una persona all'altra.",
                "fr": "Pensez aux formulaires, aux relances et aux renvois d'une personne à l'autre.",
            },
            EASE_LABELS,
        ),
    },
    {
        "code": "on_time",
        "qtype": "yes_no",
        "dimension": "standards",
        "texts": _texts(
            {
                "en": "Was it handled within the time they promised?",
                "it": "È stata gestita entro i tempi promessi?",
                "fr": "A-t-elle été traitée dans le délai promis ?",
            },
            {
                "en": 'Answer "I don\'t know" if no time was promised or you are not sure.',
                "it": "Risponda «Non so» se non era stato promesso un tempo o se non è sicuro.",
                "fr": "Répondez « Je ne sais pas » si aucun délai n'avait été promis ou en cas de doute.",
            },
        ),
    },
    {
        "code": "opening",
        "qtype": "likert5",
        "dimension": "interaction",
        "texts": _texts(
            {
                "en": "At the start: did they acknowledge your request and make sure they understood what you needed?",
                "it": "All'inizio: hanno confermato di aver ricevuto la richiesta e capito di cosa aveva bisogno?",
                "fr": "Au début : ont-ils accusé réception de votre demande et vérifié ce dont vous aviez besoin ?",
            },
            labels=QUALITY_LABELS,
        ),
    },
    {
        "code": "closing",
        "qtype": "likert5",
        "dimension": "interaction",
        "texts": _texts(
            {
                "en": "At the end: did they tell you it was done and check that it worked for you?",
                "it": "Alla fine: le hanno comunicato che era tutto risolto e verificato che andasse bene per lei?",
                "fr": "À la fin : vous ont-ils dit que c'était réglé et vérifié que cela vous convenait ?",
            },
            labels=QUALITY_LABELS,
        ),
    },
    {
        "code": "comment",
        "qtype": "text",
        "dimension": None,
        "texts": _texts(
            {
                "en": "Anything you would like them to keep doing, or to do differently?",
                "it": "C'è qualcosa che vorrebbe continuassero a fare, o facessero diversamente?",
                "fr": "Y a-t-il quelque chose qu'ils devraient continuer à faire, ou faire autrement ?",
            },
            {
                "en": "Optional. Your comment is shown to the department without your name.",
                "it": "Facoltativo. Il commento viene mostrato al reparto senza il suo nome.",
                "fr": "Facultatif. Votre commentaire est montré au service sans votre nom.",
            },
        ),
    },
    {
        "code": "contact_consent",
        "qtype": "consent",
        "dimension": None,
        "texts": _texts(
            {
                "en": "They may contact me about my comment (my name will be shown with it).",
                "it": "Possono contattarmi a proposito del mio commento (il mio nome sarà mostrato insieme).",
                "fr": "Ils peuvent me contacter au sujet de mon commentaire (mon nom y sera associé).",
            }
        ),
    },
]

DIMENSIONS: list[tuple[str, dict[str, str], dict[str, str]]] = [
    (
        "reliability",
        {
            "en": "Reliability: they do what they promised, right the first time.",
            "it": "Affidabilità: fanno ciò che hanno promesso, bene al primo colpo.",
            "fr": "Fiabilité : ils font ce qu'ils ont promis, correctement du premier coup.",
        },
        {
            "en": "Agreed standards are kept; you rarely need to check their work.",
            "it": "Gli standard concordati vengono rispettati; raramente serve ricontrollare.",
            "fr": "Les engagements convenus sont tenus ; il faut rarement vérifier leur travail.",
        },
    ),
    (
        "responsiveness",
        {
            "en": "Responsiveness: they answer within the agreed time and act fast on urgent problems.",
            "it": "Reattività: rispondono nei tempi concordati e intervengono in fretta sulle urgenze.",
            "fr": "Réactivité : ils répondent dans les délais convenus et agissent vite en cas d'urgence.",
        },
        {
            "en": "A quick temporary fix when it is urgent, a lasting one for recurring problems.",
            "it": "Una soluzione rapida quando è urgente, una duratura per i problemi che si ripetono.",
            "fr": "Une solution rapide en cas d'urgence, une solution durable pour les problèmes récurrents.",
        },
    ),
    (
        "competence",
        {
            "en": "Competence: they know their field and understand what your team is trying to achieve.",
            "it": "Competenza: conoscono il loro lavoro e capiscono gli obiettivi del suo team.",
            "fr": "Compétence : ils maîtrisent leur domaine et comprennent les objectifs de votre équipe.",
        },
        {
            "en": "Including needs you did not spell out.",
            "it": "Anche le esigenze che non ha espresso esplicitamente.",
            "fr": "Y compris les besoins que vous n'aviez pas formulés.",
        },
    ),
    (
        "courtesy",
        {
            "en": "Courtesy: they are respectful and kind, also under pressure.",
            "it": "Cortesia: sono rispettosi e gentili, anche sotto pressione.",
            "fr": "Courtoisie : ils sont respectueux et aimables, même sous pression.",
        },
        {
            "en": "Informal is fine; dismissive is not.",
            "it": "Informali va bene; sbrigativi no.",
            "fr": "Être informel, oui ; être méprisant, non.",
        },
    ),
    (
        "tools",
        {
            "en": "Tools and information: it is clear how to reach them, and you can follow your request.",
            "it": "Strumenti e informazioni: è chiaro come contattarli e può seguire la sua richiesta.",
            "fr": "Outils et information : on sait comment les joindre et on peut suivre sa demande.",
        },
        {
            "en": "Contact points, request forms, tracking and self-service answers.",
            "it": "Contatti, moduli di richiesta, tracciamento e risposte in autonomia.",
            "fr": "Points de contact, formulaires de demande, suivi et réponses en libre-service.",
        },
    ),
]

QUARTERLY: list[dict[str, Any]] = [
    *(
        {
            "code": code,
            "qtype": "likert5",
            "dimension": code,
            "texts": _texts(prompt, helps, QUALITY_LABELS),
        }
        for code, prompt, helps in DIMENSIONS
    ),
    {
        "code": "overall",
        "qtype": "likert5",
        "dimension": "satisfaction",
        "required": True,
        "texts": _texts(
            {
                "en": "Overall, how satisfied are you with the service this department gave you this quarter?",
                "it": "Nel complesso, quanto è soddisfatto del servizio ricevuto da questo reparto nel trimestre?",
                "fr": "Dans l'ensemble, êtes-vous satisfait du service rendu par ce service ce trimestre ?",
            },
            labels=SATISFACTION_LABELS,
        ),
    },
    {
        "code": "comment",
        "qtype": "text",
        "dimension": None,
        "texts": _texts(
            {
                "en": "One thing they could do to make your work easier?",
                "it": "Una cosa che potrebbero fare per semplificarle il lavoro?",
                "fr": "Une chose qu'ils pourraient faire pour vous faciliter le travail ?",
            },
            {
                "en": "Optional. Shown to the department without your name, only once enough colleagues have answered.",
                "it": "Facoltativo. Mostrato al reparto senza il suo nome, solo quando hanno risposto abbastanza colleghi.",
                "fr": "Facultatif. Montré au service sans votre nom, seulement quand assez de collègues ont répondu.",
            },
        ),
    },
]
