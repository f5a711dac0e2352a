import type { enErrors } from './en-errors.js';

/** German words of the product's refusals, in the order of ./en-errors.ts (part of ./de.ts). */
export const deErrors: Record<keyof typeof enErrors, string> = {
  'error.challenge.missing': 'Diesen Anmeldetext gibt es nicht oder er ist abgelaufen. Holen Sie sich auf der Anmeldeseite einen neuen.',
  'error.challenge.expired': 'Dieser Anmeldetext ist abgelaufen. Holen Sie sich einen neuen und signieren Sie diesen.',
  'error.challenge.dead': 'Zu viele falsche Signaturen für diesen Text. Holen Sie sich einen neuen und signieren Sie diesen.',
  'error.challenge.redeemed': 'Dieser Anmeldetext wurde bereits verwendet. Jeder Text meldet nur einmal an; holen Sie sich einen neuen.',
  'error.challenge.signed':
    'Dieser Text wurde bereits auf einem anderen Gerät signiert. Fahren Sie auf dem Computer fort, auf dem Sie begonnen haben.',
  'error.challenge.notSigned': 'Für diesen Text ist noch keine Signatur eingegangen. Signieren Sie ihn zuerst und fahren Sie dann fort.',
  'error.challenge.addressMismatch':
    'Dieser Text wurde mit einer anderen Adresse signiert. Verwenden Sie die Adresse, mit der Sie signiert haben.',
  'error.challenge.replaced': 'Dieser Anmeldecode wurde durch einen neueren ersetzt. Scannen Sie jetzt den Code, den Ihr Computer zeigt.',
  'error.challenge.mismatch':
    'Der signierte Text gehört zu einer anderen Anmeldeseite. Signieren Sie den Text, der auf dieser Seite steht.',
  'error.triesLeft.one': '(noch 1 Versuch für diesen Text)',
  'error.triesLeft.other': '(noch {left} Versuche für diesen Text)',
  'error.triesLeft.none': 'Für diesen Text sind keine Versuche mehr übrig: Holen Sie sich einen neuen.',
  'error.address.notText': 'Die Adresse muss Text sein.',
  'error.address.empty': 'Die Adresse ist leer.',
  'error.address.tooLong': 'Die Adresse ist zu lang ({length} Zeichen); eine Evrmore-Adresse hat 34.',
  'error.address.alphabet': 'Die Adresse enthält Zeichen, die in Evrmore-Adressen nie vorkommen (etwa 0, O, I, l oder Satzzeichen).',
  'error.address.checksum': 'Die Prüfsumme der Adresse stimmt nicht: Prüfen Sie sie auf Tippfehler.',
  'error.address.length': 'Dies ist keine Evrmore-Adresse (falsche Länge).',
  'error.address.unknown': 'Dies ist keine Evrmore-Adresse.',
  'error.address.script': 'Nur P2PKH-Adressen (beginnend mit {letters}) können Nachrichten signieren; dies ist eine P2SH-Adresse.',
  'error.address.network': 'Dies ist eine {found}-Adresse; dieser Dienst nimmt {expected}-Adressen an (beginnend mit {letters}).',
  'error.message.invalid': 'Der zu signierende Text ist ungültig. Holen Sie sich auf der Anmeldeseite einen neuen.',
  'error.signature.notText': 'Die Signatur muss Text sein.',
  'error.signature.empty': 'Die Signatur ist leer.',
  'error.signature.base64': 'Die Signatur ist kein gültiges Base64.',
  'error.signature.length': 'Eine Signatur hat 65 Bytes (88 Base64-Zeichen); diese hat {bytes} Bytes.',
  'error.signature.header': 'Das Kopfbyte {header} der Signatur liegt außerhalb von 27–34.',
  'error.signature.range': 'Die Signatur ist keine gültige secp256k1-Signatur (r oder s außerhalb des Wertebereichs).',
  'error.signature.mismatch': 'Die Signatur passt nicht zu dieser Adresse und diesem Text.',
  'error.signature.fieldsMissing': 'Geben Sie sowohl Ihre Evrmore-Adresse als auch die Signatur ein.',
  'error.loginHintMismatch':
    'Diese Anwendung hat Sie gebeten, sich als {address} anzumelden. Signieren Sie mit dieser Adresse oder gehen Sie zurück zur Anwendung, um eine andere zu verwenden.',
  'error.interaction.mismatch': 'Diese Seite gehört zu einer anderen Anmeldung. Gehen Sie zurück zur Anwendung und beginnen Sie erneut.',
  'error.interaction.wrongStep':
    'Dieser Schritt der Anmeldung ist bereits erledigt. Gehen Sie zurück zur Anwendung und beginnen Sie erneut.',
  'error.interaction.unknownPrompt': 'Dieser Anmeldedienst kann den Schritt „{prompt}“ nicht ausführen.',
  'error.interaction.noSession': 'Sie sind nicht mehr angemeldet. Gehen Sie zurück zur Anwendung und beginnen Sie erneut.',
  'error.deviceFormExpired':
    'Dieses Formular ist abgelaufen, oder Ihr Browser hat sein Cookie nicht gesendet. Öffnen Sie {url} erneut (mit erlaubten Cookies) und geben Sie den Code ein, den Ihr Gerät zeigt.',
  'error.body.tooLarge': 'Der Inhalt der Anfrage ist zu groß (höchstens {kib} KiB).',
  'error.body.type': 'Senden Sie den Inhalt als JSON oder als Formular (application/x-www-form-urlencoded).',
  'error.body.unreadable': 'Der Inhalt der Anfrage ist weder gültiges JSON noch gültige Formulardaten.',
  'error.body.notObject': 'Der Inhalt der Anfrage muss ein JSON-Objekt oder Formularfelder sein.',
  'error.field.notText': 'Das Feld „{field}“ muss ein einzelner Textwert sein.',
  'error.field.tooLong': 'Das Feld „{field}“ ist zu lang (höchstens {max} Zeichen).',
  'error.field.missing': 'Das Feld „{field}“ fehlt.',
  'error.field.unknown': 'Die Anfrage enthält Felder, die dieses Formular nicht annimmt: {fields}.',
  'error.path.interactionId': 'Die Kennung der Anmeldung in dieser Adresse ist fehlerhaft.',
  'error.path.challengeId': 'Der Anmeldecode in dieser Adresse ist fehlerhaft.',
  'error.parameter.tooLong': 'Der Parameter „{name}“ ist zu lang (höchstens {max} Zeichen).',
  'error.pushedRequest.lengthRequired': 'Eine übertragene Autorisierungsanfrage (PAR) muss ihre Content-Length angeben.',
  'error.pushedRequest.tooLarge': 'Die übertragene Autorisierungsanfrage (PAR) ist zu groß (höchstens {kib} KiB).',
  'error.httpsRequired':
    'Dieser Anmeldedienst antwortet nur über HTTPS: Verwenden Sie {origin}. (Die Anfrage kam ohne den X-Forwarded-Proto: https des Proxys an.)',
  'error.originNotAllowed': 'Der Ursprung {origin} darf diesen Endpunkt nicht aus einem Browser aufrufen.',
  'error.limit.lockedOut': 'Zu viele fehlgeschlagene Anmeldungen aus Ihrem Netzwerk. Versuchen Sie es in {wait} erneut (um {at}).',
  'error.limit.challenge': 'Aus Ihrem Netzwerk wurden zu viele Anmeldeseiten geöffnet. Versuchen Sie es in {wait} erneut (um {at}).',
  'error.limit.signin': 'Zu viele Anmeldeversuche aus Ihrem Netzwerk. Versuchen Sie es in {wait} erneut (um {at}).',
  'error.limit.token': 'Zu viele Token-Anfragen aus Ihrem Netzwerk. Versuchen Sie es in {wait} erneut (um {at}).',
  'error.limit.registration': 'Zu viele Client-Registrierungen aus Ihrem Netzwerk. Versuchen Sie es in {wait} erneut (um {at}).',
  'error.limit.authorization': 'Zu viele Anmeldeanfragen aus Ihrem Netzwerk. Versuchen Sie es in {wait} erneut (um {at}).',
  'error.limit.status': 'Zu viele Statusabfragen aus Ihrem Netzwerk. Versuchen Sie es in {wait} erneut (um {at}).',
  'error.limit.userCodes':
    'Bei diesem Dienst wurden zu viele falsche Gerätecodes eingegeben, daher können eine Weile keine Codes eingegeben werden. Versuchen Sie es in {wait} erneut (um {at}).',
  'error.limit.streams':
    'Aus Ihrem Netzwerk warten zu viele Anmeldeseiten; diese prüft stattdessen regelmäßig. Versuchen Sie es in {wait} erneut (um {at}).',
  'error.demo.flowMissing': 'Diese Demo-Anmeldung wurde nicht hier begonnen oder hat zu lange gedauert. Beginnen Sie erneut unter /demo.',
  'error.demo.exchangeFailed': 'Die Demo konnte ihren Code nicht einlösen: {reason}',
  'error.storeUnavailable':
    'Die Anmeldung ist einen Moment lang nicht möglich: Dieser Dienst erreicht seine Datenbank nicht. Das liegt nicht an Ihnen; bitte versuchen Sie es in einer Minute erneut.',
};
