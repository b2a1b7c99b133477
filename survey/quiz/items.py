"""The item bank of the self-assessment quiz "What is your internal service IQ?".

Written for this product from the practices in the domain notes (PRINCIPLES.md), in English,
Italian and French: 11 self-rating statements on a frequency scale (four reverse-scored, so
that agreeing with everything does not give the top score) and 11 situational-judgement
scenarios whose choices are rated best / acceptable / poor; one statement and one scenario per
practice. Also the practices' names, tips and "try this week" actions, and the bands' names.

``install_quiz`` puts the items into a Questionnaire of kind ``quiz`` (idempotent, like
``install_default_questionnaires``). The scoring key (``reverse``, ``ratings``) is stored on each
question's ``options`` and belongs to the scoring version (``scoring.SCORING_VERSION``):
admins may reword items, never re-key them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from survey.i18n import LOCALES
from survey.models import Questionnaire
from survey.quiz.scoring import FREQUENCY, PRACTICES, SCENARIO
from survey.services.questionnaires import install_questionnaire

QUIZ_NAME = "Internal service IQ quiz (default)"

FREQUENCY_LABELS = {
    "en": ["Never", "Rarely", "Sometimes", "Often", "Always"],
    "it": ["Mai", "Raramente", "A volte", "Spesso", "Sempre"],
    "fr": ["Jamais", "Rarement", "Parfois", "Souvent", "Toujours"],
}


def _tr(en: str, it: str, fr: str) -> dict[str, str]:
    return {"en": en, "it": it, "fr": fr}


# --- Practices: name, one-line summary, two tips and one action to try this week ---------------

PRACTICE_TEXTS: dict[str, dict[str, dict[str, Any]]] = {
    "standards": {
        "en": {
            "name": "Service standards",
            "summary": (
                "Agreeing clear expectations with the people you serve, and being honest "
                "when you cannot meet them."
            ),
            "tips": [
                "Agree with each team you serve how fast you answer emails, calls and "
                "requests, and write it down where they can find it.",
                "When the answer is “no” or “later”, say so early and give a date you can keep.",
            ],
            "try": (
                "Pick your three most frequent requests and write down, for each, the time to "
                "a first answer and to a solution that you can promise."
            ),
        },
        "it": {
            "name": "Standard di servizio",
            "summary": (
                "Concordare attese chiare con chi si serve ed essere onesti quando non si "
                "possono rispettare."
            ),
            "tips": [
                "Concordi con ogni team che serve in quanto tempo risponde a email, telefonate "
                "e richieste, e lo metta per iscritto dove tutti possano trovarlo.",
                "Quando la risposta è «no» o «più tardi», lo dica subito e indichi una data che "
                "può rispettare.",
            ],
            "try": (
                "Scelga le tre richieste che riceve più spesso e scriva, per ciascuna, il tempo "
                "di prima risposta e di soluzione che può promettere."
            ),
        },
        "fr": {
            "name": "Standards de service",
            "summary": (
                "Convenir d'attentes claires avec ceux que l'on sert, et être honnête quand on "
                "ne peut pas les tenir."
            ),
            "tips": [
                "Convenez avec chaque équipe que vous servez du délai de réponse aux e-mails, "
                "aux appels et aux demandes, et écrivez-le là où elle peut le trouver.",
                "Quand la réponse est « non » ou « plus tard », dites-le tôt et donnez une date "
                "que vous pouvez tenir.",
            ],
            "try": (
                "Choisissez vos trois demandes les plus fréquentes et notez pour chacune le "
                "délai de première réponse et de solution que vous pouvez promettre."
            ),
        },
    },
    "responsiveness": {
        "en": {
            "name": "Responsiveness",
            "summary": (
                "Answering within the agreed time: a fast, even temporary, fix for urgent "
                "problems and a lasting one for problems that keep coming back."
            ),
            "tips": [
                "Acknowledge every request the day it arrives, even when the full answer will "
                "take longer.",
                "After the quick fix of a recurring problem, look for its cause so that it "
                "does not return.",
            ],
            "try": (
                "Go through your open requests and send each person a short note on where "
                "things stand and when they will hear from you next."
            ),
        },
        "it": {
            "name": "Reattività",
            "summary": (
                "Rispondere nei tempi concordati: una soluzione rapida, anche provvisoria, per "
                "i problemi urgenti e una duratura per quelli che si ripresentano."
            ),
            "tips": [
                "Confermi ogni richiesta il giorno stesso in cui arriva, anche se la risposta "
                "completa richiederà più tempo.",
                "Dopo la soluzione rapida di un problema ricorrente, ne cerchi la causa perché "
                "non si ripresenti.",
            ],
            "try": (
                "Riveda le richieste aperte e mandi a ciascuna persona una breve nota su dove "
                "si trova la questione e quando avrà sue notizie."
            ),
        },
        "fr": {
            "name": "Réactivité",
            "summary": (
                "Répondre dans le délai convenu : une solution rapide, même provisoire, pour "
                "les problèmes urgents et une solution durable pour ceux qui reviennent."
            ),
            "tips": [
                "Accusez réception de chaque demande le jour même, même si la réponse complète "
                "prendra plus de temps.",
                "Après la solution rapide d'un problème récurrent, cherchez sa cause pour qu'il "
                "ne revienne pas.",
            ],
            "try": (
                "Passez en revue vos demandes en cours et envoyez à chaque personne un mot sur "
                "l'avancement et la date de vos prochaines nouvelles."
            ),
        },
    },
    "anticipation": {
        "en": {
            "name": "Anticipating needs",
            "summary": "Serving the need behind a request, not only its literal wording.",
            "tips": [
                "Before you reply, ask yourself what the colleague will do with your answer "
                "and what else they will need for it.",
                "Keep a short list of what people always ask for next after your usual "
                "requests, and include it from the start.",
            ],
            "try": (
                "For the next three requests you handle, add one thing the colleague did not "
                "ask for but will need."
            ),
        },
        "it": {
            "name": "Anticipare i bisogni",
            "summary": (
                "Rispondere al bisogno che sta dietro una richiesta, non solo alla lettera."
            ),
            "tips": [
                "Prima di rispondere, si chieda che cosa farà il collega con la Sua risposta e "
                "di che altro avrà bisogno.",
                "Tenga un breve elenco di ciò che le persone chiedono sempre dopo le richieste "
                "abituali, e lo includa fin dall'inizio.",
            ],
            "try": (
                "Per le prossime tre richieste che gestisce, aggiunga una cosa che il collega "
                "non ha chiesto ma che gli servirà."
            ),
        },
        "fr": {
            "name": "Anticiper les besoins",
            "summary": (
                "Répondre au besoin qui se cache derrière une demande, pas seulement à sa lettre."
            ),
            "tips": [
                "Avant de répondre, demandez-vous ce que le collègue fera de votre réponse et "
                "de quoi d'autre il aura besoin.",
                "Gardez une courte liste de ce que l'on vous demande toujours ensuite pour vos "
                "demandes habituelles, et joignez-le dès le départ.",
            ],
            "try": (
                "Pour vos trois prochaines demandes, ajoutez une chose que le collègue n'a pas "
                "demandée mais dont il aura besoin."
            ),
        },
    },
    "courtesy": {
        "en": {
            "name": "Courtesy and respect",
            "summary": (
                "Staying kind and respectful with colleagues whatever the pressure: informal "
                "never means rude."
            ),
            "tips": [
                "When you are tired or annoyed, read your reply once more before sending it: "
                "would you send it to a paying customer?",
                "If you see a colleague being belittled, speak up at once, calmly and "
                "privately, whoever is involved.",
            ],
            "try": (
                "In every request you send and every reply you give this week, check for a "
                "greeting, a “please” and a “thank you”."
            ),
        },
        "it": {
            "name": "Cortesia e rispetto",
            "summary": (
                "Restare gentili e rispettosi con i colleghi qualunque sia la pressione: "
                "informale non vuol dire sgarbato."
            ),
            "tips": [
                "Quando è stanco o irritato, rilegga la risposta prima di inviarla: la "
                "manderebbe a un cliente pagante?",
                "Se vede un collega trattato con sufficienza, intervenga subito, con calma e in "
                "privato, chiunque sia coinvolto.",
            ],
            "try": (
                "In ogni richiesta che invia e in ogni risposta che dà questa settimana, "
                "controlli che ci siano un saluto, un «per favore» e un «grazie»."
            ),
        },
        "fr": {
            "name": "Courtoisie et respect",
            "summary": (
                "Rester aimable et respectueux avec ses collègues quelle que soit la pression : "
                "informel ne veut pas dire impoli."
            ),
            "tips": [
                "Quand vous êtes fatigué ou agacé, relisez votre réponse avant de l'envoyer : "
                "l'enverriez-vous à un client qui paie ?",
                "Si vous voyez un collègue rabaissé, intervenez tout de suite, calmement et en "
                "privé, quelle que soit la personne en cause.",
            ],
            "try": (
                "Cette semaine, vérifiez que chaque demande envoyée et chaque réponse donnée "
                "contient un bonjour, un « s'il vous plaît » et un « merci »."
            ),
        },
    },
    "whole_interaction": {
        "en": {
            "name": "The whole interaction",
            "summary": (
                "Opening each request well, doing the work, and closing it: saying it is done "
                "and checking that it helped."
            ),
            "tips": [
                "Open: confirm you have the request, who is handling it and when to expect news.",
                "Close: say what was done, check that it solved the problem and say how to "
                "reach you if it comes back.",
            ],
            "try": (
                "Close every request you finish this week with a short message saying what you "
                "did and asking whether it solved the problem."
            ),
        },
        "it": {
            "name": "L'interazione completa",
            "summary": (
                "Aprire bene ogni richiesta, fare il lavoro e chiuderla: dire che è fatto e "
                "verificare che sia servito."
            ),
            "tips": [
                "In apertura: confermi di aver ricevuto la richiesta, chi se ne occupa e quando "
                "arriveranno notizie.",
                "In chiusura: dica che cosa è stato fatto, verifichi che il problema sia "
                "risolto e indichi come contattarLa se si ripresenta.",
            ],
            "try": (
                "Chiuda ogni richiesta che completa questa settimana con un breve messaggio "
                "che dica cosa ha fatto e chieda se il problema è risolto."
            ),
        },
        "fr": {
            "name": "L'interaction complète",
            "summary": (
                "Bien ouvrir chaque demande, faire le travail et la clore : dire que c'est fait "
                "et vérifier que cela a aidé."
            ),
            "tips": [
                "À l'ouverture : confirmez la réception, qui s'en occupe et quand viendront "
                "des nouvelles.",
                "À la clôture : dites ce qui a été fait, vérifiez que le problème est résolu et "
                "indiquez comment vous joindre s'il revient.",
            ],
            "try": (
                "Clôturez chaque demande terminée cette semaine par un court message qui dit "
                "ce que vous avez fait et demande si le problème est résolu."
            ),
        },
    },
    "clarity": {
        "en": {
            "name": "Communication and clarity",
            "summary": (
                "Easy ways to reach you, requests tracked until they are solved, a predictable "
                "schedule."
            ),
            "tips": [
                "Give your team one obvious entry point (a shared address, a form asking for "
                "the type of problem, a help desk) and point people to it kindly.",
                "Track requests in tickets or a shared list so nothing gets lost, and publish "
                "when your team is available.",
            ],
            "try": (
                "Write or update a short “how to ask us” note (channel, what to include, "
                "expected times) and share it with the teams you serve."
            ),
        },
        "it": {
            "name": "Comunicazione e chiarezza",
            "summary": (
                "Canali semplici per raggiungerLa, richieste seguite fino alla soluzione, orari "
                "prevedibili."
            ),
            "tips": [
                "Dia al Suo team un unico punto d'accesso evidente (un indirizzo condiviso, un "
                "modulo che chieda il tipo di problema, un help desk) e vi indirizzi le persone "
                "con gentilezza.",
                "Tracci le richieste in ticket o in un elenco condiviso perché nulla vada "
                "perso, e renda noti gli orari in cui il team è disponibile.",
            ],
            "try": (
                "Scriva o aggiorni una breve nota «come chiederci aiuto» (canale, cosa "
                "indicare, tempi previsti) e la condivida con i team che serve."
            ),
        },
        "fr": {
            "name": "Communication et clarté",
            "summary": (
                "Des moyens simples de vous joindre, des demandes suivies jusqu'à leur "
                "résolution, un calendrier prévisible."
            ),
            "tips": [
                "Donnez à votre équipe un point d'entrée évident (une adresse partagée, un "
                "formulaire qui demande le type de problème, un centre d'assistance) et "
                "orientez-y les gens avec amabilité.",
                "Suivez les demandes dans des tickets ou une liste partagée pour que rien ne se "
                "perde, et publiez les horaires de disponibilité de l'équipe.",
            ],
            "try": (
                "Rédigez ou mettez à jour une courte note « comment nous solliciter » (canal, "
                "informations à fournir, délais) et partagez-la avec les équipes que vous servez."
            ),
        },
    },
    "customer_goals": {
        "en": {
            "name": "Knowing your internal customers' goals",
            "summary": (
                "Knowing what the teams you serve are trying to achieve, and how your work "
                "helps or hinders them."
            ),
            "tips": [
                "Ask the teams you serve about their goals this quarter and which of your "
                "outputs matter most to them.",
                "Spend half a day with a team that depends on you, or invite one of its "
                "members to spend it with you.",
            ],
            "try": (
                "Have a twenty-minute talk with someone from a team you serve about what makes "
                "their work hard, and note one thing you could change."
            ),
        },
        "it": {
            "name": "Conoscere gli obiettivi dei clienti interni",
            "summary": (
                "Sapere che cosa cercano di ottenere i team che si servono, e come il proprio "
                "lavoro li aiuta o li ostacola."
            ),
            "tips": [
                "Chieda ai team che serve quali sono i loro obiettivi del trimestre e quali "
                "dei Suoi risultati contano di più per loro.",
                "Passi mezza giornata con un team che dipende da Lei, o inviti uno dei suoi "
                "membri a passarla con Lei.",
            ],
            "try": (
                "Parli venti minuti con una persona di un team che serve di ciò che rende "
                "difficile il suo lavoro, e annoti una cosa che potrebbe cambiare."
            ),
        },
        "fr": {
            "name": "Connaître les objectifs de ses clients internes",
            "summary": (
                "Savoir ce que cherchent à accomplir les équipes que l'on sert, et en quoi son "
                "travail les aide ou les freine."
            ),
            "tips": [
                "Demandez aux équipes que vous servez leurs objectifs du trimestre et lesquels "
                "de vos résultats comptent le plus pour elles.",
                "Passez une demi-journée avec une équipe qui dépend de vous, ou invitez l'un de "
                "ses membres à la passer avec vous.",
            ],
            "try": (
                "Prenez vingt minutes avec une personne d'une équipe que vous servez pour parler "
                "de ce qui complique son travail, et notez une chose que vous pourriez changer."
            ),
        },
    },
    "lateral": {
        "en": {
            "name": "Lateral service",
            "summary": (
                "Stepping outside your assigned role to help a colleague or a team that is "
                "short of hands."
            ),
            "tips": [
                "When a neighbouring team is overloaded, offer specific help (a task, a number "
                "of hours) rather than a general “let me know”.",
                "Learn the basics of one task of a team next to yours, so that you can step "
                "in when they are short-staffed.",
            ],
            "try": (
                "Ask a neighbouring team which small task you could take off their hands this "
                "week, and do it."
            ),
        },
        "it": {
            "name": "Aiuto oltre il proprio ruolo",
            "summary": (
                "Uscire dal proprio ruolo per aiutare un collega o un team a corto di persone."
            ),
            "tips": [
                "Quando un team vicino è sovraccarico, offra un aiuto preciso (un compito, un "
                "numero di ore) invece di un generico «fatemi sapere».",
                "Impari le basi di un compito di un team vicino, per poter dare una mano "
                "quando manca personale.",
            ],
            "try": (
                "Chieda a un team vicino quale piccolo compito potrebbe togliergli questa "
                "settimana, e lo svolga."
            ),
        },
        "fr": {
            "name": "Entraide au-delà de son rôle",
            "summary": (
                "Sortir de son rôle pour aider un collègue ou une équipe qui manque de bras."
            ),
            "tips": [
                "Quand une équipe voisine est débordée, proposez une aide précise (une tâche, "
                "un nombre d'heures) plutôt qu'un vague « faites-moi signe ».",
                "Apprenez les bases d'une tâche d'une équipe voisine, pour pouvoir prendre le "
                "relais quand elle manque de monde.",
            ],
            "try": (
                "Demandez à une équipe voisine quelle petite tâche vous pourriez lui retirer "
                "cette semaine, et faites-la."
            ),
        },
    },
    "recognition": {
        "en": {
            "name": "Recognition",
            "summary": (
                "Noticing and celebrating colleagues who go out of their way for others, so "
                "that it happens again."
            ),
            "tips": [
                "Thank people specifically: what they did and what difference it made.",
                "Tell their manager too, in writing: good service between teams often goes unseen.",
            ],
            "try": (
                "Send one specific thank-you this week to someone in another team, with their "
                "manager in copy."
            ),
        },
        "it": {
            "name": "Riconoscimento",
            "summary": (
                "Notare e valorizzare i colleghi che si impegnano oltre il dovuto per gli "
                "altri, perché succeda di nuovo."
            ),
            "tips": [
                "Ringrazi in modo preciso: che cosa ha fatto la persona e che differenza ha fatto.",
                "Lo dica anche al suo responsabile, per iscritto: il buon servizio tra team "
                "spesso passa inosservato.",
            ],
            "try": (
                "Mandi questa settimana un ringraziamento preciso a una persona di un altro "
                "team, con il suo responsabile in copia."
            ),
        },
        "fr": {
            "name": "Reconnaissance",
            "summary": (
                "Remarquer et saluer les collègues qui se donnent de la peine pour les autres, "
                "pour que cela se reproduise."
            ),
            "tips": [
                "Remerciez précisément : ce que la personne a fait et ce que cela a changé.",
                "Dites-le aussi à son responsable, par écrit : le bon service entre équipes "
                "passe souvent inaperçu.",
            ],
            "try": (
                "Envoyez cette semaine un remerciement précis à une personne d'une autre "
                "équipe, avec son responsable en copie."
            ),
        },
    },
    "accountability": {
        "en": {
            "name": "Accountability and measurement",
            "summary": (
                "Knowing your figures (response and handling times, busiest hours) and treating "
                "service to colleagues as part of the job."
            ),
            "tips": [
                "Look at your team's response times and busiest hours once a month, and "
                "discuss them together.",
                "Make how people serve other teams part of objectives and reviews, not only "
                "what they produce.",
            ],
            "try": (
                "Count this week's requests and note, for each, how long the first answer "
                "took; look for the slowest day or hour."
            ),
        },
        "it": {
            "name": "Responsabilità e misurazione",
            "summary": (
                "Conoscere i propri numeri (tempi di risposta e di gestione, ore di punta) e "
                "considerare il servizio ai colleghi parte del lavoro."
            ),
            "tips": [
                "Guardi una volta al mese i tempi di risposta e le ore di punta del Suo team, e "
                "ne parli insieme.",
                "Inserisca negli obiettivi e nelle valutazioni il modo in cui si servono gli "
                "altri team, non solo ciò che si produce.",
            ],
            "try": (
                "Conti le richieste di questa settimana e annoti per ciascuna quanto ha "
                "richiesto la prima risposta; cerchi il giorno o l'ora più lenti."
            ),
        },
        "fr": {
            "name": "Responsabilité et mesure",
            "summary": (
                "Connaître ses chiffres (délais de réponse et de traitement, heures de pointe) "
                "et considérer le service aux collègues comme faisant partie du travail."
            ),
            "tips": [
                "Regardez une fois par mois les délais de réponse et les heures de pointe de "
                "votre équipe, et parlez-en ensemble.",
                "Intégrez aux objectifs et aux entretiens la façon de servir les autres "
                "équipes, pas seulement ce que l'on produit.",
            ],
            "try": (
                "Comptez les demandes de la semaine et notez pour chacune le délai de première "
                "réponse ; repérez le jour ou l'heure les plus lents."
            ),
        },
    },
    "proactivity": {
        "en": {
            "name": "Proactivity",
            "summary": (
                "Reaching out to the teams you serve to find problems before they are raised."
            ),
            "tips": [
                "Now and then, ask the teams you serve what is getting in their way, before it "
                "turns into a complaint.",
                "When several requests point to the same problem, tell the team concerned and "
                "propose a fix for the cause.",
            ],
            "try": (
                "Write to one team you serve and ask: “What is one thing we could do better "
                "for you?”"
            ),
        },
        "it": {
            "name": "Proattività",
            "summary": (
                "Contattare i team che si servono per scoprire i problemi prima che vengano "
                "segnalati."
            ),
            "tips": [
                "Ogni tanto chieda ai team che serve che cosa li ostacola, prima che diventi un "
                "reclamo.",
                "Quando più richieste indicano lo stesso problema, lo segnali al team "
                "interessato e proponga una soluzione alla causa.",
            ],
            "try": (
                "Scriva a un team che serve e chieda: «Qual è una cosa che potremmo fare "
                "meglio per voi?»"
            ),
        },
        "fr": {
            "name": "Proactivité",
            "summary": (
                "Aller vers les équipes que l'on sert pour repérer les problèmes avant qu'elles "
                "ne les signalent."
            ),
            "tips": [
                "De temps en temps, demandez aux équipes que vous servez ce qui les gêne, avant "
                "que cela ne devienne une plainte.",
                "Quand plusieurs demandes pointent vers le même problème, prévenez l'équipe "
                "concernée et proposez une solution à la cause.",
            ],
            "try": (
                "Écrivez à une équipe que vous servez et demandez-lui : « Quelle est une chose "
                "que nous pourrions mieux faire pour vous ? »"
            ),
        },
    },
}

# --- Bands: name and what it means ------------------------------------------------------------

BAND_TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "starter": {
        "en": {
            "name": "Getting started",
            "description": (
                "Good internal service is mostly a set of habits, and you have room to build "
                "several of them. Start with the two practices suggested below."
            ),
        },
        "it": {
            "name": "Ai primi passi",
            "description": (
                "Il buon servizio interno è fatto soprattutto di abitudini, e Lei ha spazio "
                "per costruirne diverse. Cominci dalle due pratiche suggerite qui sotto."
            ),
        },
        "fr": {
            "name": "Premiers pas",
            "description": (
                "Un bon service interne tient surtout à des habitudes, et vous avez de quoi en "
                "construire plusieurs. Commencez par les deux pratiques proposées ci-dessous."
            ),
        },
    },
    "developing": {
        "en": {
            "name": "Developing",
            "description": (
                "You have some good habits; other practices still depend on the day. The tips "
                "below show where to start."
            ),
        },
        "it": {
            "name": "In crescita",
            "description": (
                "Ha già alcune buone abitudini; altre pratiche dipendono ancora dalla giornata. "
                "I suggerimenti qui sotto indicano da dove cominciare."
            ),
        },
        "fr": {
            "name": "En progrès",
            "description": (
                "Vous avez déjà de bonnes habitudes ; d'autres pratiques dépendent encore des "
                "jours. Les conseils ci-dessous indiquent par où commencer."
            ),
        },
    },
    "reliable": {
        "en": {
            "name": "Reliable partner",
            "description": (
                "Colleagues can count on you in most situations. Closing the gaps shown below "
                "will make the difference."
            ),
        },
        "it": {
            "name": "Partner affidabile",
            "description": (
                "I colleghi possono contare su di Lei nella maggior parte delle situazioni. "
                "Colmare le lacune indicate qui sotto farà la differenza."
            ),
        },
        "fr": {
            "name": "Partenaire fiable",
            "description": (
                "Vos collègues peuvent compter sur vous dans la plupart des situations. Combler "
                "les écarts indiqués ci-dessous fera la différence."
            ),
        },
    },
    "trusted": {
        "en": {
            "name": "Trusted partner",
            "description": (
                "You serve your colleagues well and consistently. Keep an eye on the practices "
                "where you scored lowest."
            ),
        },
        "it": {
            "name": "Partner di fiducia",
            "description": (
                "Serve i colleghi bene e con costanza. Tenga d'occhio le pratiche in cui ha "
                "ottenuto il punteggio più basso."
            ),
        },
        "fr": {
            "name": "Partenaire de confiance",
            "description": (
                "Vous servez vos collègues bien et avec constance. Gardez un œil sur les "
                "pratiques où votre score est le plus bas."
            ),
        },
    },
    "champion": {
        "en": {
            "name": "Service champion",
            "description": (
                "Your habits are a model of internal service. Consider passing them on: coach a "
                "colleague or start an improvement with another team."
            ),
        },
        "it": {
            "name": "Campione del servizio",
            "description": (
                "Le Sue abitudini sono un modello di servizio interno. Pensi a trasmetterle: "
                "faccia da mentore a un collega o avvii un miglioramento con un altro team."
            ),
        },
        "fr": {
            "name": "Champion du service",
            "description": (
                "Vos habitudes sont un modèle de service interne. Pensez à les transmettre : "
                "accompagnez un collègue ou lancez une amélioration avec une autre équipe."
            ),
        },
    },
}


# --- Items ------------------------------------------------------------------------------------


def _statement(code: str, practice: str, texts: dict[str, str], reverse: bool = False) -> dict:
    return {
        "code": code,
        "qtype": FREQUENCY,
        "dimension": practice,
        "required": True,
        "texts": {
            loc: {"prompt": texts[loc], "help": "", "labels": list(FREQUENCY_LABELS[loc])}
            for loc in LOCALES
        },
        "options": {"reverse": reverse},
    }


def _scenario(
    code: str,
    practice: str,
    ratings: tuple[str, ...],
    texts: dict[str, tuple[str, tuple[str, ...]]],
) -> dict:
    for loc in LOCALES:
        assert len(texts[loc][1]) == len(ratings), (code, loc)
    return {
        "code": code,
        "qtype": SCENARIO,
        "dimension": practice,
        "required": True,
        "texts": {
            loc: {"prompt": texts[loc][0], "help": "", "options": list(texts[loc][1])}
            for loc in LOCALES
        },
        "options": {"ratings": list(ratings)},
    }


STATEMENTS: list[dict[str, Any]] = [
    _statement(
        "self_standards",
        "standards",
        _tr(
            "I tell colleagues when they can expect an answer from me, and I keep to it.",
            "Dico ai colleghi quando possono aspettarsi una mia risposta, e rispetto i tempi.",
            "J'indique à mes collègues quand ils peuvent attendre ma réponse, et je tiens ce "
            "délai.",
        ),
    ),
    _statement(
        "self_responsiveness",
        "responsiveness",
        _tr(
            "When a colleague's problem is blocking their work, I find a quick fix first and "
            "deal with the cause afterwards.",
            "Quando un problema blocca il lavoro di un collega, trovo prima una soluzione "
            "rapida e poi mi occupo della causa.",
            "Quand un problème bloque le travail d'un collègue, je trouve d'abord une solution "
            "rapide, puis je traite la cause.",
        ),
    ),
    _statement(
        "self_anticipation",
        "anticipation",
        _tr(
            "When I answer a request, I add what the colleague will need next, even if they "
            "did not ask for it.",
            "Quando rispondo a una richiesta, aggiungo ciò che servirà poi al collega, anche "
            "se non l'ha chiesto.",
            "Quand je réponds à une demande, j'ajoute ce dont le collègue aura besoin ensuite, "
            "même s'il ne l'a pas demandé.",
        ),
    ),
    _statement(
        "self_courtesy",
        "courtesy",
        _tr(
            "When I am under pressure, my replies to colleagues become curt.",
            "Quando sono sotto pressione, le mie risposte ai colleghi diventano brusche.",
            "Quand je suis sous pression, mes réponses aux collègues deviennent sèches.",
        ),
        reverse=True,
    ),
    _statement(
        "self_whole_interaction",
        "whole_interaction",
        _tr(
            "Once I have done what was asked, I move on without telling the colleague that it "
            "is done.",
            "Una volta fatto quanto richiesto, passo ad altro senza dire al collega che è "
            "tutto pronto.",
            "Une fois la demande traitée, je passe à autre chose sans prévenir le collègue que "
            "c'est fait.",
        ),
        reverse=True,
    ),
    _statement(
        "self_clarity",
        "clarity",
        _tr(
            "Colleagues know which channel to use to reach me or my team, and what to include "
            "in their request.",
            "I colleghi sanno quale canale usare per contattare me o il mio team, e cosa "
            "indicare nella richiesta.",
            "Mes collègues savent quel canal utiliser pour me joindre, moi ou mon équipe, et "
            "quoi indiquer dans leur demande.",
        ),
    ),
    _statement(
        "self_customer_goals",
        "customer_goals",
        _tr(
            "I could explain what the teams I serve are trying to achieve this quarter.",
            "Saprei spiegare che cosa cercano di ottenere in questo trimestre i team che servo.",
            "Je pourrais expliquer ce que les équipes que je sers cherchent à accomplir ce "
            "trimestre.",
        ),
    ),
    _statement(
        "self_lateral",
        "lateral",
        _tr(
            "When a request falls outside my role, I say it is not my job and leave it there.",
            "Quando una richiesta esce dal mio ruolo, dico che non è compito mio e la lascio lì.",
            "Quand une demande sort de mon rôle, je réponds que ce n'est pas mon travail et "
            "j'en reste là.",
        ),
        reverse=True,
    ),
    _statement(
        "self_recognition",
        "recognition",
        _tr(
            "When a colleague from another team goes out of their way for me, I thank them in "
            "a way others, such as their manager, can see.",
            "Quando un collega di un altro team si impegna oltre il dovuto per me, lo "
            "ringrazio in modo che lo vedano anche altri, per esempio il suo responsabile.",
            "Quand un collègue d'une autre équipe se donne de la peine pour moi, je le "
            "remercie de façon visible pour d'autres, par exemple son responsable.",
        ),
    ),
    _statement(
        "self_accountability",
        "accountability",
        _tr(
            "I look at figures on how my team serves other teams, such as response times or "
            "busiest hours.",
            "Guardo i dati su come il mio team serve gli altri team, come i tempi di risposta "
            "o le ore di punta.",
            "Je regarde les chiffres sur la façon dont mon équipe sert les autres, comme les "
            "délais de réponse ou les heures de pointe.",
        ),
    ),
    _statement(
        "self_proactivity",
        "proactivity",
        _tr(
            "I wait for other departments to raise a problem before I look into it.",
            "Aspetto che siano gli altri reparti a segnalare un problema prima di occuparmene.",
            "J'attends que les autres services signalent un problème avant de m'en occuper.",
        ),
        reverse=True,
    ),
]

SCENARIOS: list[dict[str, Any]] = [
    _scenario(
        "case_customer_goals",
        "customer_goals",
        ("poor", "best", "acceptable"),
        {
            "en": (
                "You are an engineer. Customer-service reps keep sending you questions about "
                "product details while you are busy with design work, and their messages pile "
                "up.",
                (
                    "Leave them for now: design work comes first, and the reps can read the "
                    "documentation.",
                    "Answer the urgent ones today, then agree a daily slot for questions with "
                    "their team lead and find out what their customers need to know.",
                    "Answer them all in one go at the end of the week.",
                ),
            ),
            "it": (
                "Lei è ingegnere. Gli addetti all'assistenza clienti continuano a mandarLe "
                "domande sui dettagli dei prodotti mentre lavora alla progettazione, e i "
                "messaggi si accumulano.",
                (
                    "Li lascio in sospeso: la progettazione viene prima, e gli addetti possono "
                    "leggere la documentazione.",
                    "Rispondo oggi a quelli urgenti, poi concordo con il loro responsabile una "
                    "fascia quotidiana per le domande e mi informo su ciò che devono sapere i "
                    "loro clienti.",
                    "Rispondo a tutti in una volta a fine settimana.",
                ),
            ),
            "fr": (
                "Vous êtes ingénieur. Les conseillers du service client vous envoient sans "
                "cesse des questions sur les détails des produits pendant que vous travaillez "
                "à la conception, et leurs messages s'accumulent.",
                (
                    "Je les laisse de côté : la conception passe d'abord, et ils peuvent lire "
                    "la documentation.",
                    "Je réponds aujourd'hui aux questions urgentes, puis je conviens avec leur "
                    "responsable d'un créneau quotidien pour les questions et je m'informe de "
                    "ce que leurs clients ont besoin de savoir.",
                    "Je réponds à tout en une fois en fin de semaine.",
                ),
            ),
        },
    ),
    _scenario(
        "case_anticipation",
        "anticipation",
        ("acceptable", "poor", "best"),
        {
            "en": (
                "A manager who joined last month asks you for “the form for a new hire” whose "
                "first day is Monday.",
                (
                    "Send the form and mention that there are a few other steps for new hires.",
                    "Send exactly the form that was asked for.",
                    "Send the form together with the equipment request and the first-day "
                    "checklist, with the date by which each one is needed.",
                ),
            ),
            "it": (
                "Una responsabile arrivata il mese scorso Le chiede «il modulo per un nuovo "
                "assunto» che inizia lunedì.",
                (
                    "Invio il modulo e accenno al fatto che per i nuovi assunti ci sono altri "
                    "passaggi.",
                    "Invio esattamente il modulo richiesto.",
                    "Invio il modulo insieme alla richiesta di attrezzatura e alla lista del "
                    "primo giorno, con la data entro cui serve ciascuno.",
                ),
            ),
            "fr": (
                "Une responsable arrivée le mois dernier vous demande « le formulaire pour une "
                "nouvelle recrue » qui commence lundi.",
                (
                    "J'envoie le formulaire et je signale qu'il existe d'autres démarches pour "
                    "les nouvelles recrues.",
                    "J'envoie exactement le formulaire demandé.",
                    "J'envoie le formulaire avec la demande de matériel et la liste du premier "
                    "jour, en précisant la date limite de chacun.",
                ),
            ),
        },
    ),
    _scenario(
        "case_lateral",
        "lateral",
        ("best", "acceptable", "poor"),
        {
            "en": (
                "The team next to yours is two people short this week and their queue keeps "
                "growing. Your own workload is lighter than usual.",
                (
                    "Offer them a few hours a day for the simple items in their queue, after "
                    "agreeing it with both managers.",
                    "Tell them to let you know if they need anything.",
                    "Stay out of it: their queue is their manager's problem.",
                ),
            ),
            "it": (
                "Il team accanto al Suo ha due persone in meno questa settimana e le richieste "
                "in coda continuano ad aumentare. Il Suo carico di lavoro è più leggero del "
                "solito.",
                (
                    "Offro qualche ora al giorno per le richieste semplici della loro coda, "
                    "dopo averlo concordato con entrambi i responsabili.",
                    "Dico loro di farmi sapere se serve qualcosa.",
                    "Non me ne occupo: la loro coda è un problema del loro responsabile.",
                ),
            ),
            "fr": (
                "L'équipe voisine a deux personnes en moins cette semaine et sa file de "
                "demandes ne cesse de grossir. Votre propre charge est plus légère que "
                "d'habitude.",
                (
                    "Je lui propose quelques heures par jour pour les demandes simples de sa "
                    "file, après accord des deux responsables.",
                    "Je lui dis de me faire signe en cas de besoin.",
                    "Je ne m'en mêle pas : sa file, c'est l'affaire de son responsable.",
                ),
            ),
        },
    ),
    _scenario(
        "case_accountability",
        "accountability",
        ("poor", "best", "acceptable"),
        {
            "en": (
                "You work in Payroll. Every month-end, requests from other departments pile up "
                "and some answers arrive days late.",
                (
                    "Ask the other departments not to send requests in the last week of the month.",
                    "Look at when requests arrive and how long they take, publish cut-off "
                    "dates in advance and plan extra hands for the peak days.",
                    "Stay late at month-end until the pile is cleared.",
                ),
            ),
            "it": (
                "Lavora nell'ufficio paghe. A ogni fine mese le richieste degli altri reparti "
                "si accumulano e alcune risposte arrivano con giorni di ritardo.",
                (
                    "Chiedo agli altri reparti di non mandare richieste nell'ultima settimana "
                    "del mese.",
                    "Guardo quando arrivano le richieste e quanto tempo richiedono, pubblico "
                    "in anticipo le date limite e prevedo rinforzi per i giorni di punta.",
                    "Resto fino a tardi a fine mese finché non ho smaltito tutto.",
                ),
            ),
            "fr": (
                "Vous travaillez au service de la paie. À chaque fin de mois, les demandes des "
                "autres services s'accumulent et certaines réponses arrivent avec des jours de "
                "retard.",
                (
                    "Je demande aux autres services de ne plus envoyer de demandes la dernière "
                    "semaine du mois.",
                    "J'examine quand arrivent les demandes et combien de temps elles prennent, "
                    "je publie les dates limites à l'avance et je prévois du renfort pour les "
                    "jours de pointe.",
                    "Je reste tard en fin de mois jusqu'à ce que tout soit traité.",
                ),
            ),
        },
    ),
    _scenario(
        "case_courtesy",
        "courtesy",
        ("acceptable", "poor", "best"),
        {
            "en": (
                "In the project chat, a teammate of yours answers a question from a Finance "
                "colleague with a sarcastic one-liner, in front of everyone.",
                (
                    "Post a friendly, useful answer yourself and say nothing to your teammate.",
                    "Let it go: everybody is under pressure and the tone inside the company is "
                    "informal.",
                    "Speak to your teammate privately that day, and make sure the Finance "
                    "colleague gets a respectful answer and an apology.",
                ),
            ),
            "it": (
                "Nella chat del progetto, un collega del Suo team risponde alla domanda di una "
                "collega dell'amministrazione con una battuta sarcastica, davanti a tutti.",
                (
                    "Scrivo io una risposta gentile e utile e non dico nulla al collega.",
                    "Lascio correre: sono tutti sotto pressione e in azienda il tono è informale.",
                    "Parlo in privato con il collega in giornata e mi assicuro che la collega "
                    "riceva una risposta rispettosa e delle scuse.",
                ),
            ),
            "fr": (
                "Dans la discussion du projet, un membre de votre équipe répond à la question "
                "d'une collègue de la comptabilité par une phrase sarcastique, devant tout le "
                "monde.",
                (
                    "Je publie moi-même une réponse aimable et utile, sans rien dire à mon "
                    "coéquipier.",
                    "Je laisse passer : tout le monde est sous pression et le ton est informel "
                    "dans l'entreprise.",
                    "Je parle à mon coéquipier en privé le jour même et je veille à ce que la "
                    "collègue reçoive une réponse respectueuse et des excuses.",
                ),
            ),
        },
    ),
    _scenario(
        "case_standards",
        "standards",
        ("best", "poor", "acceptable"),
        {
            "en": (
                "A colleague in Sales needs a contract checked by Friday. You already know "
                "your team cannot finish before next Wednesday.",
                (
                    "Tell them today that Friday is not possible, give Wednesday as a firm "
                    "date and ask whether a partial check by Friday would help.",
                    "Say nothing and send it when it is ready.",
                    "Start work and warn them on Thursday that it will be late.",
                ),
            ),
            "it": (
                "Un collega delle vendite ha bisogno che un contratto sia verificato entro "
                "venerdì. Lei sa già che il Suo team non potrà finire prima di mercoledì "
                "prossimo.",
                (
                    "Gli dico oggi che venerdì non è possibile, indico mercoledì come data "
                    "certa e chiedo se gli sarebbe utile una verifica parziale entro venerdì.",
                    "Non dico nulla e lo invio quando è pronto.",
                    "Comincio il lavoro e giovedì lo avviso che sarà in ritardo.",
                ),
            ),
            "fr": (
                "Un collègue des ventes a besoin qu'un contrat soit vérifié d'ici vendredi. "
                "Vous savez déjà que votre équipe ne pourra pas finir avant mercredi prochain.",
                (
                    "Je lui dis aujourd'hui que vendredi n'est pas possible, je donne mercredi "
                    "comme date ferme et je demande si une vérification partielle d'ici "
                    "vendredi l'aiderait.",
                    "Je ne dis rien et je l'envoie quand c'est prêt.",
                    "Je commence le travail et je le préviens jeudi que ce sera en retard.",
                ),
            ),
        },
    ),
    _scenario(
        "case_responsiveness",
        "responsiveness",
        ("acceptable", "best", "poor"),
        {
            "en": (
                "The order-entry tool that Customer Service depends on has crashed for the "
                "third time this month, just before their busiest afternoon.",
                (
                    "Restart the tool and close the ticket.",
                    "Get them working again now, even with a temporary workaround, then find "
                    "the cause and tell them when a lasting fix will be in place.",
                    "Add the problem to the list for next quarter's release, since it keeps "
                    "coming back anyway.",
                ),
            ),
            "it": (
                "Lo strumento di inserimento ordini da cui dipende l'assistenza clienti si è "
                "bloccato per la terza volta questo mese, poco prima del loro pomeriggio più "
                "intenso.",
                (
                    "Riavvio lo strumento e chiudo la segnalazione.",
                    "Li rimetto subito in condizione di lavorare, anche con una soluzione "
                    "provvisoria, poi cerco la causa e dico loro quando ci sarà una soluzione "
                    "definitiva.",
                    "Aggiungo il problema all'elenco per la versione del prossimo trimestre, "
                    "visto che si ripresenta comunque.",
                ),
            ),
            "fr": (
                "L'outil de saisie des commandes dont dépend le service client est tombé en "
                "panne pour la troisième fois ce mois-ci, juste avant son après-midi le plus "
                "chargé.",
                (
                    "Je redémarre l'outil et je clôture le ticket.",
                    "Je lui permets de retravailler tout de suite, même avec une solution "
                    "provisoire, puis je cherche la cause et j'indique quand une correction "
                    "durable sera en place.",
                    "J'ajoute le problème à la liste de la version du trimestre prochain, "
                    "puisqu'il revient de toute façon.",
                ),
            ),
        },
    ),
    _scenario(
        "case_whole_interaction",
        "whole_interaction",
        ("poor", "acceptable", "best"),
        {
            "en": (
                "While a colleague was in a meeting, you fixed their access problem in five "
                "minutes.",
                (
                    "Move on: they will notice that it works.",
                    "Close the ticket; the system sends an automatic notice.",
                    "Write to them that it is fixed, what was wrong and how to reach you if it "
                    "happens again; later, check that it worked.",
                ),
            ),
            "it": (
                "Mentre un collega era in riunione, Lei ha risolto in cinque minuti il suo "
                "problema di accesso.",
                (
                    "Passo ad altro: si accorgerà che funziona.",
                    "Chiudo la segnalazione; il sistema invia un avviso automatico.",
                    "Gli scrivo che è risolto, qual era il problema e come contattarmi se si "
                    "ripresenta; più tardi verifico che funzioni.",
                ),
            ),
            "fr": (
                "Pendant qu'un collègue était en réunion, vous avez réglé son problème d'accès "
                "en cinq minutes.",
                (
                    "Je passe à autre chose : il verra bien que ça marche.",
                    "Je clôture le ticket ; le système envoie un avis automatique.",
                    "Je lui écris que c'est réglé, ce qui n'allait pas et comment me joindre si "
                    "cela se reproduit ; plus tard, je vérifie que tout fonctionne.",
                ),
            ),
        },
    ),
    _scenario(
        "case_clarity",
        "clarity",
        ("best", "poor", "acceptable"),
        {
            "en": (
                "People keep asking your team for things in the corridor, by chat and by "
                "email, and some requests get lost.",
                (
                    "Set up one shared address or form that asks for the type of problem, tell "
                    "the teams you serve, and log corridor requests there yourself.",
                    "Ask people to remind you if they do not hear back.",
                    "Keep a personal list of the requests you receive.",
                ),
            ),
            "it": (
                "Le persone continuano a chiedere cose al Suo team in corridoio, in chat e per "
                "email, e alcune richieste si perdono.",
                (
                    "Creo un unico indirizzo condiviso o un modulo che chieda il tipo di "
                    "problema, lo comunico ai team che serviamo e vi registro personalmente le "
                    "richieste fatte in corridoio.",
                    "Chiedo alle persone di ricordarmelo se non ricevono risposta.",
                    "Tengo un elenco personale delle richieste che ricevo.",
                ),
            ),
            "fr": (
                "On ne cesse de demander des choses à votre équipe dans le couloir, par "
                "messagerie et par e-mail, et certaines demandes se perdent.",
                (
                    "Je mets en place une adresse partagée ou un formulaire qui demande le type "
                    "de problème, je le fais connaître aux équipes servies et j'y enregistre "
                    "moi-même les demandes faites dans le couloir.",
                    "Je demande aux gens de me relancer s'ils n'ont pas de réponse.",
                    "Je tiens une liste personnelle des demandes reçues.",
                ),
            ),
        },
    ),
    _scenario(
        "case_recognition",
        "recognition",
        ("acceptable", "best", "poor"),
        {
            "en": (
                "A colleague in Payroll stayed late to correct your team's overtime figures "
                "before the deadline.",
                (
                    "Send them a quick thank-you message.",
                    "Thank them personally and tell their manager what they did and what it "
                    "saved your team.",
                    "Nothing in particular: it is part of their job.",
                ),
            ),
            "it": (
                "Un collega dell'ufficio paghe si è fermato oltre l'orario per correggere i "
                "dati degli straordinari del Suo team prima della scadenza.",
                (
                    "Gli mando un breve messaggio di ringraziamento.",
                    "Lo ringrazio di persona e dico al suo responsabile che cosa ha fatto e che "
                    "cosa ha evitato al mio team.",
                    "Niente di particolare: fa parte del suo lavoro.",
                ),
            ),
            "fr": (
                "Un collègue de la paie est resté tard pour corriger les heures "
                "supplémentaires de votre équipe avant la date limite.",
                (
                    "Je lui envoie un petit message de remerciement.",
                    "Je le remercie personnellement et je dis à son responsable ce qu'il a fait "
                    "et ce que cela a évité à mon équipe.",
                    "Rien de particulier : cela fait partie de son travail.",
                ),
            ),
        },
    ),
    _scenario(
        "case_proactivity",
        "proactivity",
        ("poor", "acceptable", "best"),
        {
            "en": (
                "Several tickets from the warehouse this month were about the same "
                "label-printing error.",
                (
                    "Wait until the warehouse raises it formally.",
                    "Keep solving each ticket quickly as it comes in.",
                    "Call the warehouse lead, ask what else is getting in their way, and "
                    "propose a fix for the cause.",
                ),
            ),
            "it": (
                "Questo mese diverse segnalazioni dal magazzino riguardavano lo stesso errore "
                "di stampa delle etichette.",
                (
                    "Aspetto che il magazzino lo segnali in modo formale.",
                    "Continuo a risolvere rapidamente ogni segnalazione man mano che arriva.",
                    "Chiamo il responsabile del magazzino, chiedo che cos'altro li ostacola e "
                    "propongo una soluzione alla causa.",
                ),
            ),
            "fr": (
                "Ce mois-ci, plusieurs tickets de l'entrepôt portaient sur la même erreur "
                "d'impression d'étiquettes.",
                (
                    "J'attends que l'entrepôt le signale officiellement.",
                    "Je continue à résoudre vite chaque ticket à son arrivée.",
                    "J'appelle le responsable de l'entrepôt, je lui demande ce qui le gêne "
                    "d'autre et je propose une solution à la cause.",
                ),
            ),
        },
    ),
]

ITEMS: list[dict[str, Any]] = STATEMENTS + SCENARIOS


def practice_text(practice: str, locale: str, field: str = "name") -> Any:
    """A practice's ``name``, ``summary``, ``tips`` (list) or ``try`` in ``locale`` (English
    when missing); the code itself for an unknown practice's name."""
    texts = PRACTICE_TEXTS.get(practice)
    if texts is None:
        return practice if field == "name" else ([] if field == "tips" else "")
    return (texts.get(locale) or texts["en"]).get(field) or texts["en"][field]


def band_text(band: str, locale: str, field: str = "name") -> str:
    """A band's ``name`` or ``description`` in ``locale`` (English when missing)."""
    texts = BAND_TEXTS.get(band)
    if texts is None:
        return band if field == "name" else ""
    return str((texts.get(locale) or texts["en"]).get(field) or texts["en"][field])


def install_quiz(session: Session) -> Questionnaire:
    """Create the quiz questionnaire from the item bank unless it exists (found by name).

    Idempotent: a second call returns the existing questionnaire unchanged, with any wording
    the admins edited since.
    """
    return install_questionnaire(session, "quiz", QUIZ_NAME, ITEMS, required=True)


assert set(PRACTICE_TEXTS) == set(PRACTICES), "every practice needs its texts"
assert {i["dimension"] for i in ITEMS} == set(PRACTICES), "every practice needs items"
