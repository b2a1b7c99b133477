"""The demo organisation's department and service names in Italian and French.

Keyed by code (``survey.demo.org``); the English name stays the default ``name``.
"""

from __future__ import annotations

DEPARTMENT_NAMES: dict[str, dict[str, str]] = {
    "IT": {"it": "Sistemi informativi", "fr": "Informatique"},
    "HR": {"it": "Risorse umane", "fr": "Ressources humaines"},
    "FIN": {"it": "Amministrazione e finanza", "fr": "Finance"},
    "PROC": {"it": "Ufficio acquisti", "fr": "Achats"},
    "FAC": {"it": "Servizi generali", "fr": "Services généraux"},
    "LEGAL": {"it": "Ufficio legale", "fr": "Juridique"},
    "SALES": {"it": "Vendite", "fr": "Ventes"},
    "CS": {"it": "Assistenza clienti", "fr": "Service client"},
    "MKT": {"it": "Marketing", "fr": "Marketing"},
    "ENG": {"it": "Ingegneria", "fr": "Ingénierie"},
}

SERVICE_NAMES: dict[str, dict[str, str]] = {
    "it-access": {"it": "Account e accessi", "fr": "Comptes et accès"},
    "it-hardware": {"it": "Portatili e hardware", "fr": "Ordinateurs portables et matériel"},
    "it-software": {"it": "Software e licenze", "fr": "Logiciels et licences"},
    "hr-contracts": {"it": "Contratti e certificati", "fr": "Contrats et attestations"},
    "hr-payroll": {"it": "Domande sulle buste paga", "fr": "Questions de paie"},
    "hr-hiring": {"it": "Supporto alle assunzioni", "fr": "Aide au recrutement"},
    "fin-expenses": {"it": "Note spese", "fr": "Notes de frais"},
    "fin-purchasing": {"it": "Ordini di acquisto", "fr": "Bons de commande"},
    "fin-invoicing": {"it": "Fatturazione clienti", "fr": "Facturation clients"},
    "fac-repairs": {"it": "Riparazioni e manutenzione", "fr": "Réparations et entretien"},
    "fac-rooms": {"it": "Sale ed eventi", "fr": "Salles et événements"},
    "fac-moves": {"it": "Traslochi di postazione", "fr": "Déménagements de postes"},
    "legal-contracts": {"it": "Revisione dei contratti", "fr": "Relecture des contrats"},
    "legal-advice": {"it": "Consulenza legale", "fr": "Conseil juridique"},
    "eng-escalations": {"it": "Escalation dei clienti", "fr": "Escalades clients"},
    "eng-product": {"it": "Domande sul prodotto", "fr": "Questions produit"},
    "cs-accounts": {"it": "Informazioni sui clienti", "fr": "Informations sur les comptes clients"},
    "sales-forecasts": {"it": "Previsioni e ordini", "fr": "Prévisions et commandes"},
    "proc-tenders": {"it": "Preventivi e gare", "fr": "Devis et appels d'offres"},
    "proc-suppliers": {"it": "Registrazione fornitori", "fr": "Référencement des fournisseurs"},
    "mkt-materials": {"it": "Presentazioni e brochure", "fr": "Présentations et brochures"},
    "mkt-web": {"it": "Sito web e pagine prodotto", "fr": "Site web et pages produits"},
}
