"""Sample comments of the demo respondents, in English, Italian and French.

Sample data written for the demo (not interface text, so not translated through gettext): each
comment exists in the language of the person who writes it. Department-specific comments echo
the profiles in ``survey.demo.profiles``; the generic ones fit any department.
"""

from __future__ import annotations

import random

Texts = dict[str, tuple[str, ...]]  # locale -> comments

GENERIC: dict[str, Texts] = {
    "good": {
        "en": (
            "Thank you, fast and friendly.",
            "Exactly what I needed, and they checked that it worked.",
            "Keep it up!",
        ),
        "it": (
            "Grazie, veloci e gentili.",
            "Proprio quello che mi serviva, e hanno verificato che funzionasse.",
            "Continuate così!",
        ),
        "fr": (
            "Merci, rapide et aimable.",
            "Exactement ce qu'il me fallait, et ils ont vérifié que tout marchait.",
            "Continuez comme ça !",
        ),
    },
    "mixed": {
        "en": (
            "Good result in the end, but I had to follow up twice.",
            "Fine overall. A short message when the request is picked up would help.",
            "Helpful people; the way to reach them is not always clear.",
        ),
        "it": (
            "Alla fine risolto, ma ho dovuto sollecitare due volte.",
            "Tutto sommato bene. Un messaggio quando prendono in carico la richiesta aiuterebbe.",
            "Persone disponibili, ma non è sempre chiaro come contattarle.",
        ),
        "fr": (
            "Résolu au final, mais j'ai dû relancer deux fois.",
            "Correct dans l'ensemble. Un petit message à la prise en charge serait utile.",
            "Équipe serviable, mais on ne sait pas toujours comment la joindre.",
        ),
    },
    "poor": {
        "en": (
            "Nobody confirmed they had received the request.",
            "I had to explain the same thing to three different people.",
            "Closed without checking with me whether it was solved.",
        ),
        "it": (
            "Nessuno ha confermato di aver ricevuto la richiesta.",
            "Ho dovuto spiegare la stessa cosa a tre persone diverse.",
            "Chiusa senza chiedermi se il problema fosse risolto.",
        ),
        "fr": (
            "Personne n'a confirmé avoir reçu la demande.",
            "J'ai dû expliquer la même chose à trois personnes différentes.",
            "Clôturée sans vérifier avec moi que c'était réglé.",
        ),
    },
}

BY_PROVIDER: dict[str, dict[str, Texts]] = {
    "IT": {
        "good": {
            "en": (
                "The new portal shows where my request is. No more chasing by email.",
                "My new laptop was ready the same day, with everything already installed.",
            ),
            "it": (
                "Con il nuovo portale vedo a che punto è la richiesta, finalmente.",
                "Mi hanno ripristinato l'accesso in mezz'ora, gentilissimi.",
            ),
            "fr": (
                "Le nouveau portail permet de suivre sa demande, c'est un vrai progrès.",
                "Ordinateur remplacé en une journée, avec mes logiciels déjà installés.",
            ),
        },
        "poor": {
            "en": (
                "Three days without access to the CRM, and nobody told me what was happening.",
                "The ticket was closed before the problem was actually fixed.",
            ),
            "it": (
                "Ho aspettato una settimana per una licenza, senza nessun aggiornamento.",
                "Il ticket è stato chiuso ma il problema c'era ancora.",
            ),
            "fr": (
                "Trois relances pour obtenir un simple accès au dossier partagé.",
                "On m'a renvoyé d'une personne à l'autre sans que personne ne prenne la demande.",
            ),
        },
    },
    "HR": {
        "good": {
            "en": (
                "Clear answer on my parental leave, with the forms I would need attached.",
                "They took the time to explain my payslip line by line.",
            ),
            "it": (
                "Risposta chiara sul congedo, con già allegati i moduli necessari.",
                "Disponibili e cortesi anche in un periodo pieno di lavoro.",
            ),
            "fr": (
                "Réponse claire sur mon congé, avec les formulaires déjà joints.",
                "Très à l'écoute pour l'accueil de notre nouvelle recrue.",
            ),
        },
        "poor": {
            "en": (
                "The employment certificate took three weeks. I had to ask four times.",
                "Friendly people, but clearly overloaded: answers come late.",
            ),
            "it": (
                "Per un certificato di servizio ho aspettato tre settimane.",
                "Persone gentili, ma si vede che sono in pochi: le risposte arrivano tardi.",
            ),
            "fr": (
                "Le recrutement pour notre équipe est bloqué depuis des semaines, sans nouvelles.",
                "Toujours aimables, mais il faut relancer plusieurs fois.",
            ),
        },
    },
    "FIN": {
        "good": {
            "en": (
                "Expense claims are paid on time and I always know where they stand.",
                "Purchase order approved the same day, with a note on the right budget line.",
            ),
            "it": (
                "Rimborsi puntuali e procedura chiara.",
                "Ordine approvato in giornata, con l'indicazione del centro di costo giusto.",
            ),
            "fr": (
                "Remboursements dans les délais, et toujours une réponse précise.",
                "Ils ont anticipé la question du budget avant même que je la pose.",
            ),
        },
        "poor": {
            "en": (
                "A claim was rejected for a missing receipt without saying which one.",
                "Commission questions take too long to answer at the end of the quarter.",
            ),
            "it": (
                "Nota spese respinta senza spiegare cosa mancasse.",
                "A fine trimestre le domande sulle provvigioni restano ferme per giorni.",
            ),
            "fr": (
                "Note de frais refusée sans préciser le justificatif manquant.",
                "En fin de trimestre, les questions sur les commissions traînent.",
            ),
        },
    },
    "FAC": {
        "good": {
            "en": (
                "Always kind, and they keep you informed even when the fix takes time.",
                "The room for our workshop was ready and perfectly set up.",
            ),
            "it": (
                "Sempre gentili e disponibili, anche quando la riparazione richiede tempo.",
                "La sala per il nostro evento era pronta e perfetta.",
            ),
            "fr": (
                "Toujours aimables, et ils expliquent ce qui se passe.",
                "La salle pour notre atelier était prête et bien équipée.",
            ),
        },
        "poor": {
            "en": (
                "The heating on our floor was broken for two weeks.",
                "Nice people, but a broken door should not take ten days.",
            ),
            "it": (
                "Il condizionatore del nostro ufficio è rimasto guasto per due settimane.",
                "Gentilissimi, ma una porta rotta non può aspettare dieci giorni.",
            ),
            "fr": (
                "Le chauffage de notre étage est resté en panne deux semaines.",
                "Mon déménagement de bureau a été repoussé trois fois.",
            ),
        },
    },
    "LEGAL": {
        "good": {
            "en": (
                "Thorough review, and they explained the risks in plain words.",
                "They understood what the deal meant for us and found a way to sign.",
            ),
            "it": (
                "Revisione accurata, con i rischi spiegati in modo semplice.",
                "Hanno capito l'obiettivo commerciale e trovato una soluzione per firmare.",
            ),
            "fr": (
                "Relecture soignée et risques expliqués simplement.",
                "Ils ont compris l'enjeu commercial et trouvé une solution pour signer.",
            ),
        },
        "poor": {
            "en": (
                "The contract review took so long that the customer almost walked away.",
                "Hard to know who is handling my request or when it will be done.",
            ),
            "it": (
                "La revisione del contratto è durata tanto che il cliente stava per rinunciare.",
                "Non si sa chi segue la richiesta né quando sarà pronta.",
            ),
            "fr": (
                "La relecture du contrat a duré si longtemps que le client a failli renoncer.",
                "Impossible de savoir qui traite la demande ni quand elle sera prête.",
            ),
        },
    },
    "ENG": {
        "good": {
            "en": (
                "They found the root cause of the customer's problem and fixed it for good.",
                "Precise answer, with a workaround we could give the customer right away.",
            ),
            "it": (
                "Hanno trovato la causa del problema del cliente e l'hanno risolto per sempre.",
                "Risposta precisa e una soluzione temporanea da dare subito al cliente.",
            ),
            "fr": (
                "Ils ont trouvé la cause du problème client et l'ont corrigé durablement.",
                "Réponse précise, avec un contournement à proposer tout de suite au client.",
            ),
        },
        "poor": {
            "en": (
                "Escalations sit in the queue for days while the customer calls us every day.",
                "The answer assumed we know the product internals. A bit of patience would help.",
            ),
            "it": (
                "Le escalation restano ferme per giorni mentre il cliente ci chiama ogni giorno.",
                "Risposte sbrigative, come se le nostre domande fossero una perdita di tempo.",
            ),
            "fr": (
                "Les escalades attendent des jours pendant que le client nous relance.",
                "Réponses sèches, comme si nos questions leur faisaient perdre du temps.",
            ),
        },
    },
    "CS": {
        "good": {
            "en": (
                "They gave me the full history of the account before my customer meeting.",
                "Quick and friendly, as always.",
            ),
            "it": (
                "Mi hanno dato tutto lo storico del cliente prima dell'incontro.",
                "Veloci e cordiali, come sempre.",
            ),
            "fr": (
                "Ils m'ont donné tout l'historique du compte avant mon rendez-vous client.",
                "Rapides et aimables, comme toujours.",
            ),
        },
        "poor": {
            "en": (
                "The bug report missed the steps to reproduce it, so we lost a day.",
                "The account notes were incomplete; I had to call the customer to find out.",
            ),
            "it": (
                "Nella segnalazione mancavano i passi per riprodurre il problema.",
                "Le note sul cliente erano incomplete.",
            ),
            "fr": (
                "Le signalement ne disait pas comment reproduire le problème.",
                "Les notes du compte étaient incomplètes.",
            ),
        },
    },
    "SALES": {
        "good": {
            "en": (
                "The new forecast sheet arrives on time and is easy to read.",
                "They explained the customer's requirements clearly before the project began.",
            ),
            "it": (
                "Le previsioni ora arrivano puntuali e sono facili da leggere.",
                "Hanno spiegato bene le esigenze del cliente prima dell'avvio del progetto.",
            ),
            "fr": (
                "Les prévisions arrivent désormais à temps et sont claires.",
                "Ils ont bien expliqué les besoins du client avant le lancement du projet.",
            ),
        },
        "poor": {
            "en": (
                "Order data came a week after the closing date, so our figures were late too.",
                "Deals are promised to customers without asking whether we can deliver.",
            ),
            "it": (
                "I dati degli ordini arrivano una settimana dopo la chiusura.",
                "Promettono ai clienti cose che non sappiamo se possiamo fare.",
            ),
            "fr": (
                "Les données de commandes arrivent une semaine après la clôture.",
                "Ils promettent des délais aux clients sans nous consulter.",
            ),
        },
    },
    "PROC": {
        "good": {
            "en": (
                "They found three suppliers and compared the quotes for us.",
                "The new supplier was registered without a single form coming back.",
            ),
            "it": (
                "Hanno trovato tre fornitori e confrontato i preventivi per noi.",
                "Il nuovo fornitore è stato registrato senza rimandarci nessun modulo.",
            ),
            "fr": (
                "Ils ont trouvé trois fournisseurs et comparé les devis pour nous.",
                "Le nouveau fournisseur a été référencé sans qu'on nous renvoie un formulaire.",
            ),
        },
        "poor": {
            "en": (
                "The tender took two months; we rented the equipment in the meantime.",
                "Nobody could tell me at which step my purchase request was waiting.",
            ),
            "it": (
                "La gara è durata due mesi; nel frattempo abbiamo noleggiato l'attrezzatura.",
                "Nessuno sapeva dirmi a che punto fosse la mia richiesta d'acquisto.",
            ),
            "fr": (
                "L'appel d'offres a pris deux mois ; nous avons loué le matériel entre-temps.",
                "Personne ne savait me dire où en était ma demande d'achat.",
            ),
        },
    },
    "MKT": {
        "good": {
            "en": (
                "The customer presentation was ready in all three languages the day before.",
                "Quick to update the product page when the price changed.",
            ),
            "it": (
                "La presentazione per il cliente era pronta in tre lingue il giorno prima.",
                "Hanno aggiornato subito la pagina del prodotto quando è cambiato il prezzo.",
            ),
            "fr": (
                "La présentation client était prête dans les trois langues la veille.",
                "La page produit a été mise à jour tout de suite après le changement de prix.",
            ),
        },
        "poor": {
            "en": (
                "The brochure looked great but did not answer what customers ask us.",
                "The slides still showed last year's figures.",
            ),
            "it": (
                "La brochure era bella ma non rispondeva alle domande dei clienti.",
                "Le slide riportavano ancora i dati dell'anno scorso.",
            ),
            "fr": (
                "La brochure était belle mais ne répondait pas aux questions des clients.",
                "Les diapositives montraient encore les chiffres de l'an dernier.",
            ),
        },
    },
}


def sentiment(rating: int) -> str:
    """``good`` for 4-5, ``mixed`` for 3, ``poor`` for 1-2 (overall satisfaction)."""
    return "good" if rating >= 4 else "mixed" if rating == 3 else "poor"


def pick_comment(rng: random.Random, provider: str, rating: int, locale: str) -> str:
    """A comment about ``provider`` that fits an overall ``rating`` (1..5), in ``locale``."""
    mood = sentiment(rating)
    own = BY_PROVIDER.get(provider, {}).get(mood)
    if own and rng.random() < 0.65:
        return rng.choice(own[locale])
    return rng.choice(GENERIC[mood][locale])
