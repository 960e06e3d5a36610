import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs

// Step 1: which organisation the testimony is for, and whether its key is the one it published.
Page {
    id: page
    objectName: "organisationPage"
    property var app

    FileDialog {
        id: chooser
        objectName: "bundleDialog"
        // Never the desktop's own dialog: GTK's records every file chosen in
        // ~/.local/share/recently-used.xbel, which would name the witness's files to whoever
        // looks at the device.
        options: FileDialog.DontUseNativeDialog
        title: qsTr("The organisation's bundle file")
        nameFilters: [qsTr("Gavah bundles (*.bundle *.gvb)"), qsTr("All files (*)")]
        onAccepted: { pathField.text = selectedFile.toString().replace(/^file:\/\//, ""); session.openBundle(selectedFile) }
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 40
            x: 20
            spacing: 12
            Item { height: 8 }
            Heading { text: qsTr("1. The organisation") }
            Para {
                visible: !session.builtInBundle
                text: qsTr("Open the bundle file the organisation gave you. It says who may read your testimony and where to send it.")
            }
            RowLayout {
                visible: !session.builtInBundle
                Layout.fillWidth: true
                TextField {
                    id: pathField
                    objectName: "bundlePath"
                    Layout.fillWidth: true
                    placeholderText: qsTr("Path of the bundle file")
                    Accessible.name: qsTr("Path of the bundle file")
                    onAccepted: session.openBundlePath(text)
                }
                Button {
                    objectName: "openBundleButton"
                    text: qsTr("Open")
                    enabled: pathField.text.length > 0
                    Accessible.name: qsTr("Open the bundle file")
                    onClicked: session.openBundlePath(pathField.text)
                }
                Button {
                    objectName: "chooseBundleButton"
                    text: qsTr("Choose…")
                    Accessible.name: qsTr("Choose the bundle file")
                    onClicked: chooser.open()
                }
            }

            Frame {
                objectName: "refusal"
                visible: session.bundleRefusal !== ""
                Layout.fillWidth: true
                background: Rectangle { color: "#fdecea"; border.color: "#b3261e"; radius: 4 }
                ColumnLayout {
                    width: parent.width
                    Label {
                        Layout.fillWidth: true
                        wrapMode: Text.WordWrap
                        font.bold: true
                        color: "#7a1712"
                        text: session.bundleRefusal === "mismatch"
                              ? qsTr("Refused: this bundle is not from the organisation you trusted before.")
                              : session.bundleRefusal === "expired" ? qsTr("Refused: this bundle has expired.")
                              : session.bundleRefusal === "older" ? qsTr("Refused: this is an older bundle than one this device has already seen.")
                              : qsTr("This file cannot be used as a bundle.")
                    }
                    Para {
                        color: "#7a1712"
                        text: session.bundleRefusal === "mismatch"
                              ? qsTr("It carries the organisation's name but is signed with a different key. Someone may be pretending to be the organisation to read your testimony. Do not use it: ask the organisation, in person or through a channel you trust, for its real bundle.")
                              : session.bundleRefusal === "expired" ? qsTr("Ask the organisation for its current bundle.")
                              : session.bundleRefusal === "older" ? qsTr("An old bundle may name people or servers the organisation no longer trusts. Ask the organisation for its current bundle.")
                              : qsTr("It may be damaged or not a Gavah bundle at all.")
                    }
                    Label {
                        objectName: "refusalDetail"
                        // The library's own words, in English, only where they say more than the
                        // sentences above: what is wrong with a damaged file.
                        visible: session.bundleRefusal === "damaged"
                        Layout.fillWidth: true
                        wrapMode: Text.WrapAnywhere
                        opacity: 0.7
                        font.pointSize: Qt.application.font.pointSize * 0.85
                        text: session.bundleRefusalDetail
                    }
                }
            }

            ColumnLayout {
                visible: session.hasBundle
                Layout.fillWidth: true
                spacing: 8
                Para {
                    font.bold: true
                    text: session.organisationName !== "" ? qsTr("Organisation: %1").arg(session.organisationName)
                                                          : qsTr("This bundle gives no organisation name.")
                }
                Para { text: qsTr("Its key's fingerprint:") }
                Label {
                    objectName: "fingerprint"
                    Layout.fillWidth: true
                    // Always left to right: it is compared character by character.
                    LayoutMirroring.enabled: false
                    horizontalAlignment: Text.AlignHCenter
                    wrapMode: Text.WordWrap
                    font.family: "DejaVu Sans Mono"
                    font.pointSize: Qt.application.font.pointSize * 1.6
                    text: session.fingerprint
                    Accessible.name: qsTr("Fingerprint %1").arg(session.fingerprint)
                }
                Para {
                    visible: session.trust === "pinned"
                    text: qsTr("This device has sent testimony to this organisation before, and this is the same key.")
                }
                Para {
                    visible: session.trust !== "pinned"
                    text: qsTr("Compare it, group by group, with the fingerprint the organisation published (on its website, in print, or in person). If even one character differs, someone else made this bundle and could read your testimony: stop here.")
                }
                RowLayout {
                    visible: !session.fingerprintConfirmed
                    Layout.fillWidth: true
                    Button {
                        objectName: "fingerprintDiffers"
                        text: qsTr("It differs")
                        Accessible.name: qsTr("The fingerprint differs: stop")
                        onClicked: page.app.home()
                    }
                    Item { Layout.fillWidth: true }
                    Button {
                        objectName: "fingerprintMatches"
                        text: qsTr("It matches")
                        highlighted: true
                        Accessible.name: qsTr("The fingerprint matches")
                        onClicked: session.confirmFingerprint()
                    }
                }
                Para {
                    visible: session.fingerprintConfirmed && !session.amnesic && session.trust !== "pinned"
                    text: qsTr("This device now remembers the key: a bundle in this organisation's name signed by another key will be refused.")
                }
            }

            NavRow {
                nextEnabled: session.hasBundle && session.fingerprintConfirmed
                onBack: page.app.back()
                onNext: page.app.go(page.app.flow === "replies" ? "RepliesPage" : "TestimonyPage")
            }
        }
    }
}
